(function () {
  "use strict";
  var LIVE = !!document.body.getAttribute("data-live");
  var SVGNS = "http://www.w3.org/2000/svg"; // a namespace name; nothing is fetched
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  var WIDE = 920, W = WIDE, MR = 14, MT = 10, MB = 34;

  function svgEl(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function htmlEl(tag, cls, parent, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) { return "–"; }
    var a = Math.abs(v);
    if (a >= 1e6) { return (v / 1e6).toFixed(1) + "M"; }
    if (a >= 1e4) { return (v / 1e3).toFixed(0) + "k"; }
    if (a >= 100) { return v.toFixed(0); }
    if (a >= 10) { return v.toFixed(1); }
    if (a >= 1) { return v.toFixed(2); }
    if (a === 0) { return "0"; }
    return v.toPrecision(2);
  }
  function niceTicks(lo, hi, n) {
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log10(span / n))), err = span / n / step;
    if (err >= 7.5) { step *= 10; } else if (err >= 3.5) { step *= 5; } else if (err >= 1.5) { step *= 2; }
    var out = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) { out.push(t); }
    return out;
  }
  function clock(s) {
    var m = Math.floor(s / 60), r = Math.round(s - 60 * m);
    return m > 0 ? m + "m" + (r < 10 ? "0" : "") + r + "s" : r + "s";
  }
  function pctLabel(x) { // x = 1/(1-p)
    var p = 100 * (1 - 1 / x);
    return (Math.round(p * 1000) / 1000) + "%";
  }

  // lineChart draws o.series ({name, x[], y[] (null = gap), color, dash,
  // step}) into fig and returns how many series had at least one point.
  function lineChart(fig, o) {
    // A small multiple has a smaller canvas, so its text keeps its size.
    var W = o.small ? 420 : WIDE, H = o.small ? 210 : 250, ML = o.small ? 48 : 62;
    var series = o.series.filter(function (s) { return s.x.length > 0; });
    var points = 0;
    series.forEach(function (s) { s.y.forEach(function (y) { if (y !== null && y !== undefined) { points++; } }); });
    fig.setAttribute("data-points", String(points));
    if (series.length === 0) {
      htmlEl("p", "empty", fig, o.empty || "no data");
      return 0;
    }
    var xs = [], ys = [];
    series.forEach(function (s) {
      s.x.forEach(function (x, i) { if (s.y[i] !== null && s.y[i] !== undefined) { xs.push(x); ys.push(s.y[i]); } });
    });
    var x0 = o.xmin !== undefined ? o.xmin : Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    if (o.xmax !== undefined) { x1 = Math.max(x1, o.xmax); }
    if (x1 <= x0) { x1 = x0 + 1; }
    var y1 = ys.length ? Math.max.apply(null, ys) : 1;
    if (!(y1 > 0)) { y1 = 1; }
    var yt = niceTicks(0, y1 * 1.05, o.small ? 4 : 5);
    y1 = Math.max(y1, yt[yt.length - 1]);
    var lx = o.xlog ? Math.log10 : function (v) { return v; };
    var X = function (v) { return ML + (lx(v) - lx(x0)) / (lx(x1) - lx(x0)) * (W - ML - MR); };
    var Y = function (v) { return H - MB - v / y1 * (H - MT - MB); };

    var svg = svgEl("svg", {viewBox: "0 0 " + W + " " + H, role: "img"}, fig);
    (o.bands || []).forEach(function (b) {
      svgEl("rect", {x: X(b[0]), y: MT, width: Math.max(X(b[1]) - X(b[0]), 1), height: H - MT - MB, fill: "#fde2e1"}, svg);
    });
    var grid = svgEl("g", {"class": "grid"}, svg), axis = svgEl("g", {"class": "axis"}, svg);
    yt.forEach(function (t) {
      svgEl("line", {x1: ML, x2: W - MR, y1: Y(t), y2: Y(t)}, grid);
      svgEl("text", {x: ML - 6, y: Y(t) + 4, "text-anchor": "end"}, axis).textContent = fmt(t);
    });
    var xt;
    if (o.xlog) {
      xt = [];
      for (var d = Math.ceil(Math.log10(x0)); d <= Math.floor(Math.log10(x1)); d++) { xt.push(Math.pow(10, d)); }
    } else {
      xt = niceTicks(x0, x1, o.small ? 4 : 8);
    }
    xt.forEach(function (t) {
      svgEl("line", {x1: X(t), x2: X(t), y1: MT, y2: H - MB}, grid);
      svgEl("text", {x: X(t), y: H - MB + 14, "text-anchor": "middle"}, axis).textContent = (o.xfmt || fmt)(t);
    });
    svgEl("line", {x1: ML, x2: W - MR, y1: H - MB, y2: H - MB}, axis);
    svgEl("line", {x1: ML, x2: ML, y1: MT, y2: H - MB}, axis);
    if (o.xlabel) { svgEl("text", {x: (ML + W - MR) / 2, y: H - 4, "text-anchor": "middle"}, axis).textContent = o.xlabel; }
    if (o.ylabel) { svgEl("text", {x: 12, y: (MT + H - MB) / 2, "text-anchor": "middle", transform: "rotate(-90 12 " + (MT + H - MB) / 2 + ")"}, axis).textContent = o.ylabel; }

    var legend = htmlEl("div", "legend", fig);
    series.forEach(function (s, i) {
      s.color = s.color || COLORS[i % COLORS.length];
      var d = "", pen = false, prevY = null;
      for (var j = 0; j < s.x.length; j++) {
        var y = s.y[j];
        if (y === null || y === undefined) { pen = false; continue; }
        if (pen && s.step) { d += "L" + X(s.x[j]).toFixed(1) + " " + Y(prevY).toFixed(1); }
        d += (pen ? "L" : "M") + X(s.x[j]).toFixed(1) + " " + Y(y).toFixed(1);
        pen = true;
        prevY = y;
      }
      var g = svgEl("g", {}, svg);
      svgEl("path", {d: d, fill: "none", stroke: s.color, "stroke-width": 1.6, "stroke-dasharray": s.dash ? "5 3" : "none"}, g);
      if (s.x.length < 40) {
        s.x.forEach(function (x, j) {
          if (s.y[j] !== null && s.y[j] !== undefined) { svgEl("circle", {cx: X(x), cy: Y(s.y[j]), r: 2.2, fill: s.color}, g); }
        });
      }
      s.g = g;
      var item = htmlEl("span", "", legend);
      var sw = htmlEl("i", "", item);
      sw.style.background = s.color;
      item.appendChild(document.createTextNode(s.name));
      item.addEventListener("click", function () {
        s.off = !s.off;
        item.className = s.off ? "off" : "";
        g.style.display = s.off ? "none" : "";
      });
    });

    var tip = htmlEl("div", "tip", fig);
    var cross = svgEl("line", {y1: MT, y2: H - MB, stroke: "#888", "stroke-dasharray": "2 2", visibility: "hidden"}, svg);
    svg.addEventListener("mousemove", function (ev) {
      var r = svg.getBoundingClientRect(), px = (ev.clientX - r.left) / r.width * W;
      var v = o.xlog ? Math.pow(10, lx(x0) + (px - ML) / (W - ML - MR) * (lx(x1) - lx(x0))) : x0 + (px - ML) / (W - ML - MR) * (x1 - x0);
      var lines = [], at = null;
      series.forEach(function (s) {
        if (s.off) { return; }
        var best = -1;
        for (var j = 0; j < s.x.length; j++) {
          if (s.y[j] === null || s.y[j] === undefined) { continue; }
          if (best < 0 || Math.abs(s.x[j] - v) < Math.abs(s.x[best] - v)) { best = j; }
        }
        if (best >= 0) {
          at = at === null ? s.x[best] : at;
          lines.push(s.name + ": " + fmt(s.y[best]));
        }
      });
      if (at === null) { return; }
      cross.setAttribute("x1", X(at));
      cross.setAttribute("x2", X(at));
      cross.setAttribute("visibility", "visible");
      tip.textContent = "";
      htmlEl("b", "", tip, (o.xfmt || fmt)(at));
      lines.forEach(function (l) { htmlEl("div", "", tip, l); });
      tip.style.display = "block";
      tip.style.left = Math.min(ev.clientX - fig.getBoundingClientRect().left + 14, fig.clientWidth - 220) + "px";
      tip.style.top = "24px";
    });
    svg.addEventListener("mouseleave", function () { tip.style.display = "none"; cross.setAttribute("visibility", "hidden"); });
    return series.length;
  }

  function seconds(n) { var a = []; for (var i = 0; i < n; i++) { a.push(i); } return a; }
  function timeChart(fig, series, ylabel, extra) {
    var o = {series: series, xlabel: "time since start", xfmt: clock, ylabel: ylabel, xmin: 0,
      empty: LIVE ? "no second has passed yet" : "no per-second data in this run folder"};
    for (var k in extra || {}) { o[k] = extra[k]; }
    return lineChart(fig, o);
  }
  function perOp(field) {
    return DATA.ops.map(function (op) {
      return {name: op.name, x: seconds((op[field] || []).length), y: op[field] || []};
    });
  }
  function bands() {
    var b = [];
    DATA.generators.forEach(function (g) { g.saturated.forEach(function (s) { b.push([s, s + 1]); }); });
    return b;
  }
  function genSeries(field, suffix) {
    return DATA.generators.map(function (g) { return {name: g.name + suffix, x: g.second || [], y: g[field] || []}; });
  }

  var charts = {
    latency: function (fig) {
      var op = DATA.ops[+fig.getAttribute("data-op")];
      return timeChart(fig, [
        {name: "p50", x: seconds((op.p50 || []).length), y: op.p50 || [], color: COLORS[0]},
        {name: "p99", x: seconds((op.p99 || []).length), y: op.p99 || [], color: COLORS[1]}
      ], "ms", {small: true, xlabel: ""});
    },
    spectrum: function (fig) {
      var series = DATA.ops.map(function (op) {
        var x = [], y = [], prev = 1;
        op.spectrum.forEach(function (p) {
          var v = p[0] >= 100 ? Math.max(prev * 2, 10) : 1 / (1 - p[0] / 100);
          x.push(v); y.push(p[1]); prev = v;
        });
        return {name: op.name, x: x, y: y};
      });
      return lineChart(fig, {series: series, xlog: true, xfmt: pctLabel, xlabel: "percentile (last point: max)", ylabel: "ms", xmin: 1, empty: "no samples"});
    },
    throughput: function (fig) { return timeChart(fig, perOp("count"), "per s"); },
    errors: function (fig) { return timeChart(fig, perOp("errors"), "per s"); },
    late: function (fig) {
      var series = [];
      DATA.scenarios.forEach(function (sc, i) {
        var x = sc.points.map(function (p) { return p[0]; });
        series.push({name: sc.name + " late", x: x, y: sc.points.map(function (p) { return p[1]; }), step: true, color: COLORS[i % COLORS.length]});
        series.push({name: sc.name + " dropped", x: x, y: sc.points.map(function (p) { return p[2]; }), step: true, dash: true, color: COLORS[i % COLORS.length]});
      });
      return timeChart(fig, series, "iterations");
    },
    cpu: function (fig) { return timeChart(fig, genSeries("cpu", ""), "%", {bands: bands(), empty: "no health records"}); },
    sched: function (fig) {
      var s = genSeries("sched_ms", " scheduler p99").concat(genSeries("lag_ms", " start lag p99"));
      s.forEach(function (x, i) { x.dash = i >= s.length / 2; });
      return timeChart(fig, s, "ms", {bands: bands(), empty: "no health records"});
    },
    heap: function (fig) { return timeChart(fig, genSeries("heap_mib", ""), "MiB", {empty: "no health records"}); },
    capacity: function (fig) { return capacityChart(fig, "latency"); },
    "capacity-errors": function (fig) { return capacityChart(fig, "errors"); },
    flame: function (fig) { return flame(fig, DATA.flame); }
  };

  // capacityChart draws a capacity search's levels against the offered
  // rate: p50 and p99 (what = "latency") or the error rate ("errors"),
  // the SLO's lines dashed, failed levels as crosses, and the knee (the
  // bracket between the highest pass and the first failure) shaded.
  function capacityChart(fig, what) {
    var c = (DATA.capacity || []).filter(function (x) { return x.name === fig.getAttribute("data-scenario"); })[0];
    if (!c || c.levels.length === 0) {
      htmlEl("p", "empty", fig, "no levels");
      return 0;
    }
    var x = c.levels.map(function (l) { return l[0]; });
    var lo = x[0], hi = x[x.length - 1];
    var col = function (i) { return c.levels.map(function (l) { return l[i]; }); };
    var series = what === "latency" ?
      [{name: "p50", x: x, y: col(1), color: COLORS[0]}, {name: "p99", x: x, y: col(2), color: COLORS[1]}] :
      [{name: "error rate", x: x, y: col(3), color: COLORS[1]}];
    (what === "latency" ? c.latency_slo : c.error_slo).forEach(function (s, i) {
      series.push({name: "SLO " + s.label, x: [lo, hi], y: [s.value, s.value], dash: true, color: COLORS[7 + i % 3]});
    });
    var fails = c.levels.filter(function (l) { return l[4] === 0; });
    if (fails.length > 0) {
      series.push({name: "failed level", x: fails.map(function (l) { return l[0]; }),
        y: fails.map(function (l) { return what === "latency" ? l[2] : l[3]; }), color: "#000", dash: true});
    }
    var bands = [];
    if (c.knee[1] > 0) { bands.push([c.knee[0] || lo, c.knee[1]]); }
    return lineChart(fig, {series: series, bands: bands, xlabel: "offered rate (iterations/s); shaded: the knee",
      ylabel: what === "latency" ? "ms" : "% errors", xfmt: function (v) { return fmt(v) + "/s"; }});
  }

  // flame draws the phase flame graph (root at the bottom) and returns the
  // number of leaf frames drawn.
  function flame(fig, root) {
    if (!root || !root.value) {
      htmlEl("p", "empty", fig, "no phases or service time recorded");
      return 0;
    }
    var depth = function (n) { return 1 + (n.children || []).reduce(function (m, c) { return Math.max(m, depth(c)); }, 0); };
    var RH = 20, rows = depth(root), FH = rows * RH + 4;
    var svg = svgEl("svg", {viewBox: "0 0 " + W + " " + FH, role: "img"}, fig);
    var tip = htmlEl("div", "tip", fig);
    var total = root.value;
    function hue(name) {
      var h = 0;
      for (var i = 0; i < name.length; i++) { h = (h * 31 + name.charCodeAt(i)) >>> 0; }
      return "hsl(" + (10 + h % 45) + ", 80%, " + (55 + h % 20) + "%)";
    }
    var leaves = 0;
    function draw(n, x, w, level, path, focus) {
      var y = FH - (level + 1) * RH;
      var r = svgEl("rect", {x: x, y: y, width: Math.max(w, 0.5), height: RH - 1, fill: hue(n.name)}, svg);
      var ms = n.value / 1000;
      var label = path.concat([n.name]).join(" ▸ ") + ": " + fmt(ms) + " ms (" + (100 * n.value / total).toFixed(1) + "%)";
      r.addEventListener("mousemove", function (ev) {
        tip.textContent = label;
        tip.style.display = "block";
        tip.style.left = Math.min(ev.clientX - fig.getBoundingClientRect().left + 12, fig.clientWidth - 320) + "px";
        tip.style.top = "4px";
      });
      r.addEventListener("mouseleave", function () { tip.style.display = "none"; });
      r.addEventListener("click", function () { render(n === focus ? root : n); });
      if (w > 40) {
        var t = svgEl("text", {x: x + 4, y: y + RH - 6}, svg);
        var s = n.name, max = Math.floor((w - 8) / 6.5);
        t.textContent = s.length > max ? s.slice(0, Math.max(max - 1, 1)) + "…" : s;
      }
      var cx = x;
      (n.children || []).forEach(function (c) {
        var cw = w * c.value / n.value;
        draw(c, cx, cw, level + 1, path.concat([n.name]), focus);
        cx += cw;
      });
      if (!(n.children && n.children.length)) { leaves++; }
    }
    function render(focus) {
      while (svg.firstChild) { svg.removeChild(svg.firstChild); }
      leaves = 0;
      var chain = [], found = false;
      (function find(n, trail) {
        if (found) { return; }
        if (n === focus) { chain = trail.concat([n]); found = true; return; }
        (n.children || []).forEach(function (c) { find(c, trail.concat([n])); });
      })(root, []);
      // The focused frame's ancestors span the full width beneath it.
      for (var i = 0; i < chain.length - 1; i++) {
        var a = chain[i], y = FH - (i + 1) * RH;
        var r = svgEl("rect", {x: 0, y: y, width: W, height: RH - 1, fill: "#ddd"}, svg);
        r.addEventListener("click", (function (n) { return function () { render(n); }; })(a));
        svgEl("text", {x: 4, y: y + RH - 6}, svg).textContent = a.name;
      }
      draw(focus, 0, W, chain.length - 1, chain.slice(0, -1).map(function (n) { return n.name; }), focus);
      return leaves;
    }
    return render(root);
  }

  // multiples adds a small chart per op to each grid of small multiples
  // that lacks one (a live run's ops appear as they start).
  function multiples() {
    var grids = document.querySelectorAll("[data-multiples]");
    for (var g = 0; g < grids.length; g++) {
      var grid = grids[g], kind = grid.getAttribute("data-multiples");
      for (var i = grid.children.length; i < DATA.ops.length; i++) {
        var fig = htmlEl("figure", "chart small", grid);
        fig.setAttribute("data-chart", kind);
        fig.setAttribute("data-op", String(i));
        htmlEl("figcaption", "", fig, DATA.ops[i].name);
      }
    }
  }

  // drawAll (re)draws every chart from DATA: each figure keeps its caption
  // and gets data-series (how many series it drew), data-points (how many
  // points) or data-error; the body gets data-rendered.
  function drawAll() {
    multiples();
    var figs = document.querySelectorAll("figure[data-chart]");
    for (var i = 0; i < figs.length; i++) {
      var fig = figs[i];
      while (fig.lastChild && fig.lastChild !== fig.firstChild) { fig.removeChild(fig.lastChild); }
      if (fig.firstChild && fig.firstChild.tagName !== "FIGCAPTION") { fig.removeChild(fig.firstChild); }
      fig.removeAttribute("data-error");
      try {
        var draw = charts[fig.getAttribute("data-chart")];
        if (!draw) { throw new Error("unknown chart " + fig.getAttribute("data-chart")); }
        fig.setAttribute("data-series", String(draw(fig)));
      } catch (e) {
        fig.setAttribute("data-series", "0");
        fig.setAttribute("data-error", String(e && e.message || e));
        htmlEl("p", "empty", fig, "chart failed: " + (e && e.message || e));
      }
    }
    document.body.setAttribute("data-rendered", String(figs.length));
  }

  // apply adds one second of a live run (a LiveEvent from /events) to DATA.
  function apply(ev) {
    var n = ev.second + 1;
    ev.ops.forEach(function (e) {
      var op = null;
      for (var i = 0; i < DATA.ops.length; i++) { if (DATA.ops[i].name === e.name) { op = DATA.ops[i]; } }
      if (!op) {
        op = {name: e.name, count: [], errors: [], p50: [], p99: [], spectrum: []};
        DATA.ops.push(op);
        DATA.ops.sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; });
        document.querySelectorAll("[data-multiples]").forEach(function (g) { g.textContent = ""; }); // re-laid in order
      }
      ["count", "errors", "p50", "p99"].forEach(function (f) { op[f] = op[f] || []; });
      while (op.count.length < n - 1) { op.count.push(0); op.errors.push(0); op.p50.push(null); op.p99.push(null); }
      var s = e.second;
      op.count.push(s.count);
      op.errors.push(s.errors);
      op.p50.push(s.count ? s.p50_ms : null);
      op.p99.push(s.count ? s.p99_ms : null);
      op.spectrum = e.spectrum;
    });
    ev.scenarios.forEach(function (e) {
      var sc = null;
      DATA.scenarios.forEach(function (x) { if (x.name === e.name) { sc = x; } });
      if (!sc) { sc = {name: e.name, points: [[0, 0, 0]]}; DATA.scenarios.push(sc); }
      sc.points.push([n, e.late, e.dropped]);
      sc.late = e.late;
      sc.dropped = e.dropped;
    });
    if (ev.health.length) {
      if (!DATA.generators.length) {
        DATA.generators.push({name: "generator", second: [], cpu: [], sched_ms: [], lag_ms: [], goroutines: [], heap_mib: [], saturated: []});
      }
      var g = DATA.generators[0];
      ev.health.forEach(function (h) {
        g.second.push(h.second); g.cpu.push(h.cpu); g.sched_ms.push(h.sched_ms); g.lag_ms.push(h.lag_ms);
        g.goroutines.push(h.goroutines); g.heap_mib.push(h.heap_mib);
        if (h.saturated) { g.saturated.push(h.second); }
      });
    }
    DATA.flame = ev.flame;
    DATA.seconds = n;
  }

  // liveTable shows each op's run so far and its last second.
  function liveTable(ops) {
    var table = document.getElementById("live-ops");
    if (!table) { return; }
    var body = table.tBodies[0];
    body.textContent = "";
    ops.forEach(function (o) {
      var tr = htmlEl("tr", "", body), r = o.run, s = o.second;
      [o.name, r.count, r.errors, s.count, fmt(r.p50_ms), fmt(r.p90_ms), fmt(r.p99_ms), fmt(r.max_ms), s.count ? fmt(s.p99_ms) : "–"]
        .forEach(function (v) { htmlEl("td", "", tr, String(v)); });
    });
    table.hidden = ops.length === 0;
  }

  // follow keeps a live page up to date from the run's /events: a
  // "replay" event replaces DATA (on connecting, reconnecting or falling
  // behind), each unnamed event adds a second.
  function follow(url) {
    var status = document.getElementById("live-status");
    var say = function (t) { if (status) { status.textContent = t; } };
    var es = new EventSource(url);
    es.addEventListener("replay", function (m) {
      var capacity = DATA.capacity; // as of the page's load: a replay has none
      DATA = JSON.parse(m.data);
      DATA.capacity = DATA.capacity || capacity;
      document.querySelectorAll("[data-multiples]").forEach(function (g) { g.textContent = ""; });
      drawAll();
      say("live: " + clock(DATA.seconds) + " of the run so far");
    });
    es.addEventListener("message", function (m) {
      var ev = JSON.parse(m.data);
      apply(ev);
      drawAll();
      liveTable(ev.ops);
      var t = ev.totals;
      say("live: " + clock(ev.elapsed_s) + " · " + t.samples + " samples, " + t.errors + " errors · " +
        fmt(t.rate_per_s) + " iterations/s · late " + t.late + ", dropped " + t.dropped);
    });
    es.addEventListener("end", function () {
      es.close();
      say("the run has ended: its folder's report.html has the final figures");
      document.body.setAttribute("data-ended", "true");
    });
    es.onerror = function () { if (es.readyState !== EventSource.CLOSED) { say("connection lost; reconnecting…"); } };
  }

  drawAll();
  if (LIVE) { follow(document.body.getAttribute("data-live")); }
})();
