package service

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// maxListIDs bounds how many IDs one users?id= or groups?id= lookup may name.
const maxListIDs = 1000

func itoa(i int) string { return strconv.Itoa(i) }

// idList reads the comma-separated id query parameter (spec §2.3: the IDs are joined with ","
// before encoding).
func idList(r *http.Request) ([]string, error) {
	raw := r.URL.Query().Get("id")
	if raw == "" {
		return nil, badRequestf("id: want one or more comma-separated IDs")
	}
	ids := strings.Split(raw, ",")
	if len(ids) > maxListIDs {
		return nil, badRequestf("id: %d IDs; want at most %d", len(ids), maxListIDs)
	}
	for _, id := range ids {
		if err := validateID(id); err != nil {
			return nil, badRequestf("id %q: %v", id, err)
		}
	}
	return ids, nil
}

// sortDevices orders devices by ID.
func sortDevices(d []deviceResp) { sort.Slice(d, func(i, j int) bool { return d[i].ID < d[j].ID }) }

// cutJWT returns the token of an "authorization: jwt <token>" header value.
func cutJWT(h string) (string, bool) { return strings.CutPrefix(h, "jwt ") }
