#!/usr/bin/env python3
"""Writes sdk/testdata/golden/*: the exact requests the Go SDK must send for
each operation, and the canned responses the test server answers with.

This script is independent of the Go code under test. It builds every request
from the wire spec (shared/spec/ironcore-api.md: field order, base64, ICL
path encoding, JWT claims, "IronCore 2." signing, the 92-byte master key, the
version-2 document format) and ironoxide's test strings, with a fixed random
source and a fixed clock. Transform encryption is replaced on both sides by
the same deterministic stand-in ("fake recrypt", see fake_test.go), which
keeps recrypt's sizes and real Ed25519 signatures.

Run from sdk/testdata:  python3 gen_golden.py   (needs the `cryptography` package)
"""
import base64, hashlib, json, os, struct
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

OUT = "golden"
P = int("8fb501e34aa387f9aa6fecb86184dc21ee5b88d120b5b59e185cac6c5e089667", 16)
# recrypt's group order r: augmentation (user and group key rotation) is mod r.
R = int("8fb501e34aa387f9aa6fecb86184dc212e8d8e12f82b39241a2ef45b57ac7261", 16)

# Fixed inputs. IDs are ironoxide's test strings (every allowed ID character class).
USER = "abcABC012_.$#|@/:;=+'-d1226d1b-4c39-49da-933c-642e23ac1945"
BOB = "bob-4c39-49da"
CAROL = "carol-unknown"
GROUP = "'=#.other|/$non@;safe'-:;id_"
GROUP2 = "group-2"
DOC = "doc-'=#.other|/$non@;safe'-:;id_"
SEG = 1682
NOW_MS = 1591901740123
T = "2020-06-11T18:55:40.123Z"
PASSWORD = "correct horse battery staple"
CONFIG = {"projectId": 438, "segmentId": "ironoxide-dev1", "identityAssertionKeyId": 593}
# Spec §3.2.3 key pair (seed || public).
SIGNING = base64.b64decode("JtqNdfg6H7sRt6MxbUIJhINNxB91Dz0dq3exH9uk2t3Gyp/6iIGlA8Ovr2Nv5O8rExJ2dgBOvuKA01H+4DXC3A==")
DEVICE_PRIV = hashlib.sha256(b"device-private").digest()
USER_PRIV = hashlib.sha256(b"user-private").digest()
BOB_PRIV = hashlib.sha256(b"bob-private").digest()
GROUP_SECRET = b"".join(hashlib.sha256(b"group-secret" + bytes([i])).digest() for i in range(12))
GROUP2_PRIV = hashlib.sha256(b"group2-private").digest()
DOC_DEK = b"".join(hashlib.sha256(b"doc-dek" + bytes([i])).digest() for i in range(12))


def b64(b):
    return base64.b64encode(b).decode()


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def dumps(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


class Rand:
    """SHA-256(seed || counter as 8 bytes big-endian) blocks, as a stream."""

    def __init__(self, seed):
        self.seed, self.n, self.buf = seed.encode(), 0, b""

    def read(self, k):
        while len(self.buf) < k:
            self.buf += hashlib.sha256(self.seed + struct.pack(">Q", self.n)).digest()
            self.n += 1
        out, self.buf = self.buf[:k], self.buf[k:]
        return out


UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")


def icl(s):
    return "".join(chr(c) if c in UNRESERVED else "%%%02X" % c for c in s.encode())


# Fake recrypt (same definitions as fake_test.go).
def fake_pub(p):
    return {"x": p, "y": hashlib.sha256(b"fake-y" + p).digest()}


def pk_bytes(k):
    return k["x"] + k["y"]


def pk_json(k):
    return {"x": b64(k["x"]), "y": b64(k["y"])}


def expand(k, n):
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(k + bytes([i])).digest()
        i += 1
    return out[:n]


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def ed_sign(sk, msg):
    return Ed25519PrivateKey.from_private_bytes(sk[:32]).sign(msg)


def fake_encrypt_k(k, pt, to, sk):
    e = fake_pub(k)
    msg = xor(pt, expand(k, 384))
    auth = hashlib.sha256(pk_bytes(e) + pt).digest()
    psk = sk[32:]
    sig = ed_sign(sk, psk + pk_bytes(e) + msg + auth)
    # EncryptedOnceValue, ironoxide field order.
    return {"encryptedMessage": b64(msg), "ephemeralPublicKey": pk_json(e), "signature": b64(sig),
            "authHash": b64(auth), "publicSigningKey": b64(psk)}


def fake_encrypt(rnd, pt, to, sk):
    return fake_encrypt_k(rnd.read(32), pt, to, sk)


def fake_transform_key(rnd, frm, to, sk):
    t = rnd.read(32)
    kk = rnd.read(384)
    r = fake_pub(t)
    x = xor(kk, expand(t, 384))
    h = expand(frm + kk, 128)
    psk = sk[32:]
    sig = ed_sign(sk, psk + pk_bytes(r) + pk_bytes(to) + x)
    j = {"ephemeralPublicKey": pk_json(r), "toPublicKey": pk_json(to), "encryptedTempKey": b64(x),
         "hashedTempKey": b64(h), "signature": b64(sig), "publicSigningKey": b64(psk)}
    raw = pk_bytes(r) + pk_bytes(to) + x + h + psk  # 672 bytes, §5.4
    return j, raw


def fake_schnorr(rnd, priv, pub, msg):
    k = rnd.read(32)
    return k + hashlib.sha256(priv + pk_bytes(pub) + msg + k).digest()


def transformed(enc):
    """A transformed value as the service returns it: the encrypted-once fields and one block."""
    v = dict(enc)
    v["transformBlocks"] = [{"encryptedTempKey": b64(expand(b"etk", 384)), "publicKey": pk_json(fake_pub(b"\x01" * 32)),
                             "randomTransformEncryptedTempKey": b64(expand(b"rtetk", 384)),
                             "randomTransformPublicKey": pk_json(fake_pub(b"\x02" * 32))}]
    return v


def derive_private_key(pt):
    return (int.from_bytes(hashlib.sha256(pt).digest(), "big") % P).to_bytes(32, "big")


# Master key escrow (§5.2).
def escrow(priv, salt, iv, password=PASSWORD):
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 250000, 32)
    return salt + iv + AESGCM(key).encrypt(iv, priv, None)


# Version-2 document (§5.8).
def document(doc_id, dek, iv, data):
    h = dumps({"_did_": doc_id, "_sid_": SEG}).encode()
    return bytes([2]) + struct.pack(">H", len(h)) + h + iv + AESGCM(hashlib.sha256(dek).digest()).encrypt(iv, data, None)


# JWT, RS256 (deterministic), claims in ironoxide's order.
with open("iak-rs256.pem", "rb") as f:
    RSA_KEY = serialization.load_pem_private_key(f.read(), None)


def jwt(sub):
    iat = NOW_MS // 1000
    header = '{"typ":"JWT","alg":"RS256"}'
    payload = dumps({"sub": sub, "iat": iat, "exp": iat + 120, "pid": CONFIG["projectId"],
                     "sid": CONFIG["segmentId"], "kid": CONFIG["identityAssertionKeyId"]})
    signing = b64url(header.encode()) + "." + b64url(payload.encode())
    return signing + "." + b64url(RSA_KEY.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256()))


def v2_headers(method, path, query, body):
    ctx = "%d,%d,%s,%s" % (NOW_MS, SEG, USER, b64(SIGNING[32:]))
    sig_path = "/api/1/" + path + ("?" + query if query else "")
    return {"authorization": "IronCore 2." + b64(ed_sign(SIGNING, ctx.encode())),
            "x-ironcore-request-sig": b64(ed_sign(SIGNING, ctx.encode() + method.encode() + sig_path.encode() + body)),
            "x-ironcore-user-context": ctx}


class Golden:
    def __init__(self, name, comment):
        self.name, self.lines = name, ["# " + comment, "# Written by gen_golden.py; do not edit by hand, do not write from Go."]

    def exchange(self, method, path, query, body, status, resp, jwt_token=None, binary=False):
        body = body if body is not None else b""
        uri = "/api/1/" + path + ("?" + query.replace("'", "%27") if query else "")
        if jwt_token:
            hdr = {"authorization": "jwt " + jwt_token}
        else:
            hdr = v2_headers(method, path, query, body)
        hdr["content-type"] = "application/json"
        self.lines.append(">>> %s %s" % (method, uri))
        for k in sorted(hdr):
            self.lines.append("%s: %s" % (k, hdr[k]))
        self.lines.append(("bodyhex: " + body.hex()) if binary else ("body: " + body.decode()))
        self.lines.append("<<< %d" % status)
        self.lines.append(resp if isinstance(resp, str) else dumps(resp))

    def write(self, out=None):
        with open(os.path.join(OUT, self.name + ".txt"), "w") as f:
            f.write("\n".join(self.lines) + "\n")
        if out is not None:
            with open(os.path.join(OUT, self.name + ".out"), "w") as f:
                f.write(out + "\n")


USER_PUB, BOB_PUB = fake_pub(USER_PRIV), fake_pub(BOB_PRIV)
GROUP_PRIV = derive_private_key(GROUP_SECRET)
GROUP_PUB, GROUP2_PUB = fake_pub(GROUP_PRIV), fake_pub(GROUP2_PRIV)
USER_ESCROW = escrow(USER_PRIV, hashlib.sha256(b"salt").digest(), hashlib.sha256(b"iv").digest()[:12])


def user_json(esc=USER_ESCROW):
    return {"id": USER, "status": 1, "segmentId": SEG, "userPrivateKey": b64(esc),
            "userMasterPublicKey": pk_json(USER_PUB), "needsRotation": False}


def init(g):
    g.exchange("GET", "users/current", "", None, 200,
               {"currentKeyId": 1, "id": USER, "status": 1, "segmentId": SEG, "userMasterPublicKey": pk_json(USER_PUB),
                "userPrivateKey": b64(USER_ESCROW), "needsRotation": False, "groupsNeedingRotation": []})


def group_json(gid, pub, name, enc=None, perms=("admin", "member")):
    g = {"id": gid, "currentKeyId": 1, "name": name, "permissions": list(perms), "status": 1, "updated": T, "created": T,
         "owner": USER, "adminIds": [USER], "memberIds": [USER], "groupMasterPublicKey": pk_json(pub), "needsRotation": False}
    if enc is not None:
        g["encryptedPrivateKey"] = enc
    return g


def key_list(*users):
    return {"result": [{"id": u, "userMasterPublicKey": pk_json(k)} for u, k in users]}


def doc_meta(name="golden doc"):
    enc = transformed(fake_encrypt_k(hashlib.sha256(b"doc-k").digest(), DOC_DEK, USER_PUB, SIGNING))
    return {"id": DOC, "name": name, "association": {"type": "owner"},
            "visibleTo": {"users": [{"id": USER}], "groups": []}, "encryptedSymmetricKey": enc, "updated": T, "created": T}


def main():
    os.makedirs(OUT, exist_ok=True)

    # user_create: key pair, 32-byte salt, 12-byte IV, then POST users.
    rnd = Rand("golden/user_create")
    priv = rnd.read(32)
    pub = fake_pub(priv)
    salt, iv = rnd.read(32), rnd.read(12)
    esc = escrow(priv, salt, iv)
    g = Golden("user_create", "Client.UserCreate: POST users with a JWT")
    body = dumps({"userPublicKey": pk_json(pub), "userPrivateKey": b64(esc), "needsRotation": False}).encode()
    resp = user_json(esc)
    resp["userMasterPublicKey"] = pk_json(pub)
    g.exchange("POST", "users", "", body, 201, resp, jwt_token=jwt(USER))
    g.write()

    g = Golden("user_verify", "Client.UserVerify: GET users/verify?returnKeys=true with a JWT")
    g.exchange("GET", "users/verify", "returnKeys=true", None, 200, user_json(), jwt_token=jwt(USER))
    g.write()

    # generate_device: one JWT for both calls; signing seed, device key pair, transform key, Schnorr.
    rnd = Rand("golden/generate_device")
    token = jwt(USER)
    g = Golden("generate_device", "Client.GenerateDevice: verify, then POST users/devices")
    g.exchange("GET", "users/verify", "returnKeys=true", None, 200, user_json(), jwt_token=token)
    seed = rnd.read(32)
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    signing = seed + sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    dev_priv = rnd.read(32)
    tk, tk_raw = fake_transform_key(rnd, USER_PRIV, fake_pub(dev_priv), signing)
    msg = str(NOW_MS).encode() + tk_raw + token.encode() + pk_bytes(USER_PUB)
    sig = fake_schnorr(rnd, USER_PRIV, USER_PUB, msg)
    body = dumps({"timestamp": NOW_MS, "device": {"transformKey": tk, "name": "golden device"}, "signature": b64(sig),
                  "userPublicKey": pk_json(USER_PUB)}).encode()
    g.exchange("POST", "users/devices", "", body, 201, {"id": 42, "name": "golden device", "created": T, "updated": T}, jwt_token=token)
    g.write(dumps({"accountId": USER, "segmentId": SEG, "signingPrivateKey": b64(signing),
                   "devicePrivateKey": b64(dev_priv), "deviceId": 42}))

    g = Golden("initialize", "Client.Initialize: GET users/current, device-signed")
    init(g)
    g.write()

    g = Golden("device_list", "SDK.DeviceList")
    init(g)
    g.exchange("GET", "users/" + icl(USER) + "/devices", "", None, 200,
               {"result": [{"id": 43, "name": None, "created": T, "updated": T, "isCurrentDevice": False},
                           {"id": 42, "name": "golden device", "created": T, "updated": T, "isCurrentDevice": True}]})
    g.write()

    g = Golden("device_delete", "SDK.DeviceDelete(42): DELETE with the 4-byte body null")
    init(g)
    g.exchange("DELETE", "users/" + icl(USER) + "/devices/42", "", b"null", 200, {"id": 42})
    g.write()

    # group_create: caller admin + member, BOB member; keys looked up uncached.
    rnd = Rand("golden/group_create")
    g = Golden("group_create", "SDK.GroupCreate{ID, Name, Members: [bob]}")
    init(g)
    g.exchange("GET", "users", "id=" + icl(USER + "," + BOB), None, 200, key_list((USER, USER_PUB), (BOB, BOB_PUB)))
    secret = rnd.read(384)
    gpriv = derive_private_key(secret)
    members = []
    for uid, k in ((USER, USER_PUB), (BOB, BOB_PUB)):
        tk, _ = fake_transform_key(rnd, gpriv, k, SIGNING)
        members.append({"userId": uid, "transformKey": tk, "userMasterPublicKey": pk_json(k)})
    admin = {"user": {"userId": USER, "userMasterPublicKey": pk_json(USER_PUB)}}
    admin.update(fake_encrypt(rnd, secret, USER_PUB, SIGNING))
    body = dumps({"id": GROUP, "name": "golden group", "owner": None, "admins": [admin], "members": members,
                  "groupPublicKey": pk_json(fake_pub(gpriv)), "needsRotation": False}).encode()
    resp = {"id": GROUP, "name": "golden group", "permissions": ["admin", "member"], "updated": T, "created": T,
            "owner": USER, "adminIds": [USER], "memberIds": [USER, BOB], "groupMasterPublicKey": pk_json(fake_pub(gpriv)),
            "needsRotation": False}
    g.exchange("POST", "groups", "", body, 201, resp)
    g.write()

    group_enc = transformed(fake_encrypt_k(hashlib.sha256(b"group-k").digest(), GROUP_SECRET, USER_PUB, SIGNING))

    g = Golden("group_get", "SDK.GroupGet")
    init(g)
    g.exchange("GET", "groups/" + icl(GROUP), "", None, 200, group_json(GROUP, GROUP_PUB, "golden group", group_enc))
    g.write()

    g = Golden("group_delete", "SDK.GroupDelete: DELETE with the 4-byte body null")
    init(g)
    g.exchange("DELETE", "groups/" + icl(GROUP), "", b"null", 200, {"id": GROUP})
    g.write()

    g = Golden("group_list", "SDK.GroupList")
    init(g)
    g.exchange("GET", "groups", "", None, 200, {"result": [group_json(GROUP, GROUP_PUB, "golden group"),
                                                           group_json(GROUP2, GROUP2_PUB, None, perms=("member",))]})
    g.write()

    for kind in ("members", "admins"):
        rnd = Rand("golden/group_add_" + kind)
        g = Golden("group_add_" + kind, "SDK.GroupAdd%s(group, [bob, carol]); carol is unknown" % kind.capitalize())
        init(g)
        g.exchange("GET", "groups/" + icl(GROUP), "", None, 200, group_json(GROUP, GROUP_PUB, "golden group", group_enc))
        g.exchange("GET", "users", "id=" + icl(BOB + "," + CAROL), None, 200, key_list((BOB, BOB_PUB)))
        sig = fake_schnorr(rnd, GROUP_PRIV, GROUP_PUB, GROUP.encode())
        if kind == "members":
            tk, _ = fake_transform_key(rnd, GROUP_PRIV, BOB_PUB, SIGNING)
            body = {"users": [{"userId": BOB, "transformKey": tk, "userMasterPublicKey": pk_json(BOB_PUB)}], "signature": b64(sig)}
            path = "users"
        else:
            a = {"user": {"userId": BOB, "userMasterPublicKey": pk_json(BOB_PUB)}}
            a.update(fake_encrypt(rnd, GROUP_SECRET, BOB_PUB, SIGNING))
            body = {"admins": [a], "signature": b64(sig)}
            path = "admins"
        g.exchange("POST", "groups/" + icl(GROUP) + "/" + path, "", dumps(body).encode(), 200,
                   {"succeededIds": [{"userId": BOB}], "failedIds": []})
        g.write()

    # document_encrypt: DEK, ID, IV (while the keys are looked up), then one EDEK per grantee.
    rnd = Rand("golden/document_encrypt")
    data = b"golden plaintext: hello, IronCore"
    g = Golden("document_encrypt", "SDK.DocumentEncrypt{Name, Users: [bob], Groups: [group-2]}; .out is the document, hex")
    init(g)
    dek = rnd.read(384)
    doc_id = rnd.read(16).hex()
    iv = rnd.read(12)
    g.exchange("GET", "users", "id=" + icl(BOB), None, 200, key_list((BOB, BOB_PUB)))
    g.exchange("GET", "groups", "id=" + icl(GROUP2), None, 200, {"result": [group_json(GROUP2, GROUP2_PUB, None, perms=("member",))]})
    grants = []
    for typ, gid, k in (("user", USER, USER_PUB), ("user", BOB, BOB_PUB), ("group", GROUP2, GROUP2_PUB)):
        a = {"userOrGroup": {"type": typ, "id": gid, "masterPublicKey": pk_json(k)}}
        a.update(fake_encrypt(rnd, dek, k, SIGNING))
        grants.append(a)
    body = dumps({"id": doc_id, "value": {"name": "golden doc", "sharedWith": grants}}).encode()
    g.exchange("POST", "documents", "", body, 201,
               {"id": doc_id, "name": "golden doc", "updated": T, "created": T,
                "sharedWith": [{"userOrGroup": {"type": t, "id": i}} for t, i in (("user", USER), ("user", BOB), ("group", GROUP2))]})
    g.write(document(doc_id, dek, iv, data).hex())

    g = Golden("document_decrypt", "SDK.DocumentDecrypt; .in is the document (hex), .out the plaintext (hex)")
    init(g)
    g.exchange("GET", "documents/" + icl(DOC), "", None, 200, doc_meta())
    g.write(b"the decrypted golden document".hex())
    with open(os.path.join(OUT, "document_decrypt.in"), "w") as f:
        f.write(document(DOC, DOC_DEK, hashlib.sha256(b"doc-iv").digest()[:12], b"the decrypted golden document").hex() + "\n")

    rnd = Rand("golden/document_update")
    g = Golden("document_update", "SDK.DocumentUpdate (bytes): GET, then a new IV; .out is the document, hex")
    init(g)
    g.exchange("GET", "documents/" + icl(DOC), "", None, 200, doc_meta())
    g.write(document(DOC, DOC_DEK, rnd.read(12), b"updated golden bytes").hex())

    g = Golden("document_update_name", "SDK.DocumentUpdateName")
    init(g)
    g.exchange("PUT", "documents/" + icl(DOC), "", b'{"name":"new name"}', 200, doc_meta("new name"))
    g.write()

    g = Golden("document_list", "SDK.DocumentList")
    init(g)
    g.exchange("GET", "documents", "", None, 200,
               {"result": [{"id": DOC, "name": "golden doc", "association": {"type": "owner"}, "created": T, "updated": T},
                           {"id": "other", "name": None, "association": {"type": "fromGroup"}, "created": T, "updated": T}]})
    g.write()

    rnd = Rand("golden/document_grant")
    g = Golden("document_grant", "SDK.DocumentGrantAccess(doc, [bob, carol], [group-2]); carol is unknown")
    init(g)
    g.exchange("GET", "documents/" + icl(DOC), "", None, 200, doc_meta())
    g.exchange("GET", "users", "id=" + icl(BOB + "," + CAROL), None, 200, key_list((BOB, BOB_PUB)))
    g.exchange("GET", "groups", "id=" + icl(GROUP2), None, 200, {"result": [group_json(GROUP2, GROUP2_PUB, None, perms=("member",))]})
    to = []
    for typ, gid, k in (("user", BOB, BOB_PUB), ("group", GROUP2, GROUP2_PUB)):
        a = {"userOrGroup": {"type": typ, "id": gid, "masterPublicKey": pk_json(k)}}
        a.update(fake_encrypt(rnd, DOC_DEK, k, SIGNING))
        to.append(a)
    g.exchange("POST", "documents/" + icl(DOC) + "/access", "", dumps({"fromPublicKey": pk_json(USER_PUB), "to": to}).encode(), 200,
               {"succeededIds": [{"userOrGroup": {"type": "user", "id": BOB}}, {"userOrGroup": {"type": "group", "id": GROUP2}}],
                "failedIds": []})
    g.write()

    g = Golden("document_revoke", "SDK.DocumentRevokeAccess(doc, [bob], [group-2])")
    init(g)
    g.exchange("DELETE", "documents/" + icl(DOC) + "/access", "",
               dumps({"userOrGroups": [{"type": "user", "id": BOB}, {"type": "group", "id": GROUP2}]}).encode(), 200,
               {"succeededIds": [{"userOrGroup": {"type": "user", "id": BOB}}],
                "failedIds": [{"userOrGroup": {"type": "group", "id": GROUP2}, "errorMessage": "not shared"}]})
    g.write()

    more()


# Key rotation (spec §5.9, ironoxide's augment): new = old − aug (mod r).
def augment_minus(a, b):
    return ((int.from_bytes(a, "big") - int.from_bytes(b, "big")) % R).to_bytes(32, "big")


# EncryptedDeks protobuf (spec §5.10): fields in number order, proto3 defaults
# left out, a oneof (UserOrGroup's id) after the message's other fields, as
# rust-protobuf writes them.
def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb_bytes(num, v):
    return varint(num << 3 | 2) + varint(len(v)) + v if v else b""


def pb_key(num, k):
    return pb_bytes(num, pb_bytes(1, k["x"]) + pb_bytes(2, k["y"]))


def pb_edek(typ, gid, key, enc):
    uog = pb_key(3, key) + pb_bytes(1 if typ == "user" else 2, gid.encode())
    raw = lambda f: base64.b64decode(enc[f])
    eph = {"x": base64.b64decode(enc["ephemeralPublicKey"]["x"]), "y": base64.b64decode(enc["ephemeralPublicKey"]["y"])}
    data = (pb_bytes(1, raw("encryptedMessage")) + pb_key(2, eph) + pb_bytes(3, raw("signature")) +
            pb_bytes(4, raw("authHash")) + pb_bytes(5, raw("publicSigningKey")))
    return pb_bytes(1, uog) + pb_bytes(2, data)


def pb_edeks(edeks, doc_id, seg):
    return b"".join(pb_bytes(1, e) for e in edeks) + pb_bytes(2, doc_id.encode()) + varint(3 << 3) + varint(seg)


def write_hex(name, b):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(b.hex() + "\n")


def current_user(g, needs_rotation=False, key_id=1):
    g.exchange("GET", "users/current", "", None, 200,
               {"currentKeyId": key_id, "id": USER, "status": 1, "segmentId": SEG, "userMasterPublicKey": pk_json(USER_PUB),
                "userPrivateKey": b64(USER_ESCROW), "needsRotation": needs_rotation, "groupsNeedingRotation": []})


def more():
    g = Golden("user_update_status", "Client.UserUpdateStatus(disabled): PUT users/{sub} with a JWT")
    resp = user_json()
    resp["status"] = 0
    g.exchange("PUT", "users/" + icl(USER), "", b'{"status":0}', 200, resp, jwt_token=jwt(USER))
    g.write()

    g = Golden("user_get_public_key", "SDK.UserGetPublicKey([bob, carol]): uncached; carol is unknown")
    init(g)
    g.exchange("GET", "users", "id=" + icl(BOB + "," + CAROL), None, 200, key_list((BOB, BOB_PUB)))
    g.write()

    # user_change_password: users/current, unlock with the old password, new salt and IV, PUT users/{id}.
    rnd = Rand("golden/user_change_password")
    g = Golden("user_change_password", "SDK.UserChangePassword: GET users/current, then PUT users/{id} with only userPrivateKey")
    init(g)
    current_user(g)
    esc = escrow(USER_PRIV, rnd.read(32), rnd.read(12), "new " + PASSWORD)
    g.exchange("PUT", "users/" + icl(USER), "", dumps({"userPrivateKey": b64(esc)}).encode(), 200, user_json(esc))
    g.write()

    g = Golden("user_disable_self", "SDK.UserDisableSelf: GET users/current, then PUT users/{id} with only status 0")
    init(g)
    current_user(g)
    resp = user_json()
    resp["status"] = 0
    g.exchange("PUT", "users/" + icl(USER), "", b'{"status":0}', 200, resp)
    g.write()

    # user_rotate_private_key: aug factor, new key = old − aug (mod r), escrow under the same password.
    rnd = Rand("golden/user_rotate_private_key")
    g = Golden("user_rotate_private_key", "SDK.UserRotatePrivateKey: GET users/current, then PUT users/{id}/keys/{currentKeyId}")
    init(g)
    current_user(g, needs_rotation=True, key_id=7)
    aug = rnd.read(32)
    esc = escrow(augment_minus(USER_PRIV, aug), rnd.read(32), rnd.read(12))
    g.exchange("PUT", "users/" + icl(USER) + "/keys/7", "", dumps({"userPrivateKey": b64(esc), "augmentationFactor": b64(aug)}).encode(),
               200, {"currentKeyId": 8, "userPrivateKey": b64(esc), "needsRotation": False})
    g.write(b64(augment_minus(USER_PRIV, aug)))

    g = Golden("initialize_check_rotation", "Client.InitializeCheckRotation: users/current and groups at once")
    current_user(g, needs_rotation=True)
    groups = [group_json(GROUP, GROUP_PUB, "golden group"), group_json(GROUP2, GROUP2_PUB, None), group_json("group-3", GROUP2_PUB, None)]
    groups[0]["needsRotation"] = True
    del groups[2]["needsRotation"]
    g.exchange("GET", "groups", "", None, 200, {"result": groups})
    g.write()

    g = Golden("group_update_name", "SDK.GroupUpdateName")
    init(g)
    g.exchange("PUT", "groups/" + icl(GROUP), "", b'{"name":"new group name"}', 200, group_json(GROUP, GROUP_PUB, "new group name"))
    g.write()

    for kind, path in (("members", "users"), ("admins", "admins")):
        g = Golden("group_remove_" + kind, "SDK.GroupRemove%s(group, [bob, carol]); carol is not one" % kind.capitalize())
        init(g)
        g.exchange("DELETE", "groups/" + icl(GROUP) + "/" + path, "", dumps({"users": [{"userId": BOB}, {"userId": CAROL}]}).encode(), 200,
                   {"succeededIds": [{"userId": BOB}], "failedIds": [{"userId": CAROL, "errorMessage": "not a " + kind[:-1]}]})
        g.write()

    # group_rotate_private_key: group get, admins' keys (uncached), decrypt, new secret and aug, encrypt to admins, PUT.
    rnd = Rand("golden/group_rotate_private_key")
    g = Golden("group_rotate_private_key", "SDK.GroupRotatePrivateKey: admins are the caller and bob")
    init(g)
    group_enc = transformed(fake_encrypt_k(hashlib.sha256(b"group-k").digest(), GROUP_SECRET, USER_PUB, SIGNING))
    gj = group_json(GROUP, GROUP_PUB, "golden group", group_enc)
    gj["adminIds"], gj["currentKeyId"], gj["needsRotation"] = [USER, BOB], 3, True
    g.exchange("GET", "groups/" + icl(GROUP), "", None, 200, gj)
    g.exchange("GET", "users", "id=" + icl(USER + "," + BOB), None, 200, key_list((USER, USER_PUB), (BOB, BOB_PUB)))
    secret = rnd.read(384)
    aug = augment_minus(GROUP_PRIV, derive_private_key(secret))
    admins = []
    for uid, k in ((USER, USER_PUB), (BOB, BOB_PUB)):
        a = {"user": {"userId": uid, "userMasterPublicKey": pk_json(k)}}
        a.update(fake_encrypt(rnd, secret, k, SIGNING))
        admins.append(a)
    g.exchange("PUT", "groups/" + icl(GROUP) + "/keys/3", "", dumps({"admins": admins, "augmentationFactor": b64(aug)}).encode(), 200,
               {"groupKeyId": 4, "groupId": GROUP, "needsRotation": False})
    g.write()

    # group_create_owner: bob owns it, the caller is an admin but no member, marked for rotation.
    rnd = Rand("golden/group_create_owner")
    g = Golden("group_create_owner", "SDK.GroupCreate{ID, Owner: bob, NotMember, NeedsRotation}: no members (null)")
    init(g)
    g.exchange("GET", "users", "id=" + icl(USER + "," + BOB), None, 200, key_list((USER, USER_PUB), (BOB, BOB_PUB)))
    secret = rnd.read(384)
    gpriv = derive_private_key(secret)
    admins = []
    for uid, k in ((USER, USER_PUB), (BOB, BOB_PUB)):
        a = {"user": {"userId": uid, "userMasterPublicKey": pk_json(k)}}
        a.update(fake_encrypt(rnd, secret, k, SIGNING))
        admins.append(a)
    body = dumps({"id": GROUP, "name": None, "owner": BOB, "admins": admins, "members": None,
                  "groupPublicKey": pk_json(fake_pub(gpriv)), "needsRotation": True}).encode()
    g.exchange("POST", "groups", "", body, 201,
               {"id": GROUP, "name": None, "permissions": ["admin"], "updated": T, "created": T, "owner": BOB,
                "adminIds": [USER, BOB], "memberIds": [], "groupMasterPublicKey": pk_json(fake_pub(gpriv)), "needsRotation": True})
    g.write()

    g = Golden("document_get_metadata", "SDK.DocumentGetMetadata")
    init(g)
    meta = doc_meta()
    meta["visibleTo"]["groups"] = [{"id": GROUP2, "name": None}]
    g.exchange("GET", "documents/" + icl(DOC), "", None, 200, meta)
    g.write()

    # document_encrypt_policy: two encryptions with the same policy; the second uses the policy cache.
    rnd = Rand("golden/document_encrypt_policy")
    g = Golden("document_encrypt_policy", "SDK.DocumentEncrypt twice with Policy{PII, INTERNAL, substitute bob}: one GET policies")
    init(g)
    g.exchange("GET", "policies", "category=PII&sensitivity=INTERNAL&substituteId=" + icl(BOB), None, 200,
               {"usersAndGroups": [{"type": "user", "id": BOB, "masterPublicKey": pk_json(BOB_PUB)},
                                   {"type": "group", "id": GROUP2, "masterPublicKey": pk_json(GROUP2_PUB)}],
                "invalidUsersAndGroups": []})
    for n in range(2):
        dek = rnd.read(384)
        doc_id = rnd.read(16).hex()
        rnd.read(12)
        grants = []
        for typ, gid, k in (("user", USER, USER_PUB), ("user", BOB, BOB_PUB), ("group", GROUP2, GROUP2_PUB)):
            a = {"userOrGroup": {"type": typ, "id": gid, "masterPublicKey": pk_json(k)}}
            a.update(fake_encrypt(rnd, dek, k, SIGNING))
            grants.append(a)
        g.exchange("POST", "documents", "", dumps({"id": doc_id, "value": {"name": None, "sharedWith": grants}}).encode(), 201,
                   {"id": doc_id, "name": None, "updated": T, "created": T,
                    "sharedWith": [{"userOrGroup": {"type": t, "id": i}} for t, i in (("user", USER), ("user", BOB), ("group", GROUP2))]})
    g.write()

    # document_encrypt_unmanaged: as managed, but no POST; .out is the document, .edeks the EncryptedDeks (hex).
    rnd = Rand("golden/document_encrypt_unmanaged")
    data = b"golden unmanaged plaintext"
    g = Golden("document_encrypt_unmanaged", "SDK.DocumentEncryptUnmanaged{Users: [bob]}; .out the document, .edeks the EDEKs (hex)")
    init(g)
    g.exchange("GET", "users", "id=" + icl(BOB), None, 200, key_list((BOB, BOB_PUB)))
    dek = rnd.read(384)
    doc_id = rnd.read(16).hex()
    iv = rnd.read(12)
    edeks = []
    for uid, k in ((USER, USER_PUB), (BOB, BOB_PUB)):
        edeks.append(pb_edek("user", uid, k, fake_encrypt(rnd, dek, k, SIGNING)))
    g.write(document(doc_id, dek, iv, data).hex())
    write_hex("document_encrypt_unmanaged.edeks", pb_edeks(edeks, doc_id, SEG))

    # Unmanaged decrypt and grant share one document: EDEKs for the caller and an old one for bob.
    user_edek = pb_edek("user", USER, USER_PUB, fake_encrypt_k(hashlib.sha256(b"u-k").digest(), DOC_DEK, USER_PUB, SIGNING))
    bob_old = pb_edek("user", BOB, BOB_PUB, fake_encrypt_k(hashlib.sha256(b"b-k").digest(), DOC_DEK, BOB_PUB, SIGNING))
    in_edeks = pb_edeks([user_edek, bob_old], DOC, SEG)
    transform_resp = {"userOrGroup": {"type": "user", "id": USER},
                      "encryptedSymmetricKey": transformed(fake_encrypt_k(hashlib.sha256(b"t-k").digest(), DOC_DEK, USER_PUB, SIGNING))}
    write_hex("unmanaged.edeks", in_edeks)

    g = Golden("document_decrypt_unmanaged", "SDK.DocumentDecryptUnmanaged: POST edeks/transform with the raw EDEKs; .in the document, .out the plaintext (hex)")
    init(g)
    g.exchange("POST", "edeks/transform", "", in_edeks, 200, transform_resp, binary=True)
    g.write(b"the unmanaged golden document".hex())
    write_hex("document_decrypt_unmanaged.in", document(DOC, DOC_DEK, hashlib.sha256(b"udoc-iv").digest()[:12], b"the unmanaged golden document"))

    rnd = Rand("golden/document_grant_unmanaged")
    g = Golden("document_grant_unmanaged", "SDK.DocumentGrantAccessUnmanaged([bob, carol], [group-2]); bob's old EDEK is replaced; .out the new EDEKs (hex)")
    init(g)
    g.exchange("POST", "edeks/transform", "", in_edeks, 200, transform_resp, binary=True)
    g.exchange("GET", "users", "id=" + icl(BOB + "," + CAROL), None, 200, key_list((BOB, BOB_PUB)))
    g.exchange("GET", "groups", "id=" + icl(GROUP2), None, 200, {"result": [group_json(GROUP2, GROUP2_PUB, None, perms=("member",))]})
    new = [pb_edek(t, i, k, fake_encrypt(rnd, DOC_DEK, k, SIGNING)) for t, i, k in (("user", BOB, BOB_PUB), ("group", GROUP2, GROUP2_PUB))]
    g.write(pb_edeks([user_edek] + new, DOC, SEG).hex())


if __name__ == "__main__":
    main()
