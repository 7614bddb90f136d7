package deb

import "testing"

// FuzzParseVersion checks that ParseVersion never panics, that every
// version it accepts prints back to itself, and that comparison is
// antisymmetric and agrees with equality.
func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.0", "1:2.3-4", "1.0~rc1", "0:1:2-3", "+1:2", "-0:1", "1_2",
		" 1.0 ", "1-", "a:1", "2147483648:1", "1.0\xff", "\n1:2", "1.0-1-2", ""} {
		f.Add(s, "1.0-1")
	}
	f.Fuzz(func(t *testing.T, s1, s2 string) {
		a, err := ParseVersion(s1)
		if err != nil && !IsVersionWarning(err) {
			if a != (Version{}) {
				t.Fatalf("ParseVersion(%q) failed but returned %#v", s1, a)
			}
			return
		}
		back, err2 := ParseVersion(a.String())
		if back != a || (err2 == nil) != (err == nil) {
			t.Fatalf("ParseVersion(%q) = %#v (%v), printed %q parses as %#v (%v)", s1, a, err, a.String(), back, err2)
		}
		b, _ := ParseVersionLax(s2)
		ab, ba := CompareVersions(a, b), CompareVersions(b, a)
		if ab != -ba || ab < -1 || ab > 1 {
			t.Fatalf("CompareVersions(%q, %q) = %d but reversed %d", s1, s2, ab, ba)
		}
		if a.Compare(a) != 0 || (a == b && ab != 0) {
			t.Fatalf("%q does not compare equal to itself", s1)
		}
	})
}
