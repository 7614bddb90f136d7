package policy

import "testing"

// TestCategoryWrappers checks that policy's names answer as deb's rule does.
func TestCategoryWrappers(t *testing.T) {
	for _, s := range []string{"user/office", "non-free/user/games", "user/hidden", "utils", ""} {
		c, ok := CategoryOf(s)
		if ok != IsUser(s) || Visible(s, true) != ok || ok && c.ID == "" {
			t.Errorf("%q: %+v %v", s, c, ok)
		}
	}
}
