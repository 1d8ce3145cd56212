package service

import (
	"fmt"
	"strings"
	"testing"
)

// pid and kid are u32 and iat is u64 seconds (spec §3.1): a JSON string holding digits is not
// such a number, and ironoxide's claim types would not parse one.
func TestJWTNumericClaimsMustBeNumbers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	p := e.s.Project()
	for _, name := range []string{"pid", "kid", "iat", "http://ironcore/pid", "http://ironcore/kid"} {
		t.Run(name, func(t *testing.T) {
			c := e.validClaims("u1")
			plain := strings.TrimPrefix(name, claimPrefix)
			v := c[plain]
			delete(c, plain)
			c[name] = fmt.Sprint(v) // the same value as a JSON string
			status, b := e.withJWT(signJWT(t, p.Key, c), "GET", "users/verify?returnKeys=true", nil)
			if status != 401 {
				t.Fatalf("claim %s as a string: status %d %s, want 401", name, status, b)
			}
			if errs := errorBody(t, b); !strings.Contains(errs[0].Message, plain) {
				t.Errorf("message %q, want it to name %s", errs[0].Message, plain)
			}
		})
	}
}
