package deb

import (
	"errors"
	"testing"
)

func TestIdentityFileName(t *testing.T) {
	tests := []struct {
		id   Identity
		want string // "" when refused
	}{
		{Identity{"foo", "1.0-1", "amd64"}, "foo_1.0-1_amd64.deb"},
		{Identity{"foo", "2:1.0-1", "all"}, "foo_1.0-1_all.deb"},
		{Identity{"foo", "1:2:3-4", "all"}, "foo_2:3-4_all.deb"},
		{Identity{"foo", "1.0+dfsg~rc1", "arm64"}, "foo_1.0+dfsg~rc1_arm64.deb"},
		// Versions dpkg only warns about: "/" and ".." must never reach a path.
		{Identity{"foo", "1.0/../../../../x", "all"}, ""},
		{Identity{"foo", "1/2", "all"}, ""},
		{Identity{"foo", "1.0-1/..", "all"}, ""},
		{Identity{"foo", "../1.0", "all"}, ""},
		{Identity{"foo", "1.0\\x", "all"}, ""},
		{Identity{"foo", "", "all"}, ""},
		{Identity{"foo", "1.0 2", "all"}, ""},
		{Identity{"../foo", "1.0", "all"}, ""},
		{Identity{"foo/bar", "1.0", "all"}, ""},
		{Identity{"foo", "1.0", "../all"}, ""},
		{Identity{"foo", "1.0", ""}, ""},
	}
	for _, tt := range tests {
		got, err := tt.id.FileName()
		if tt.want == "" {
			var fe *FileNameError
			if !errors.As(err, &fe) {
				t.Errorf("%+v: got %q, %v; want a *FileNameError", tt.id, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%+v: got %q, %v; want %q", tt.id, got, err, tt.want)
		}
	}
}
