package deb

import "testing"

func TestUserSections(t *testing.T) {
	tests := []struct {
		section  string
		user     bool
		id, name string
		visible  bool // when not installed
	}{
		{"user/office", true, "office", "Office", true},
		{"user/Games", true, "games", "Games", true},
		{"user/Ringtones", true, "Ringtones", "Ringtones", true},
		{"user/", true, "other", "Other", true},
		{"non-free/user/tools", true, "tools", "Tools", true},
		{"user/hidden", true, "hidden", "hidden", false},
		{"utils", false, "", "", false},
		{"superuser/games", false, "", "", false},
		{"", false, "", "", false},
		{"non-free/user/games", true, "games", "Games", true},
		{"contrib/user/hidden", true, "hidden", "hidden", false},
		{" user/games ", true, "games", "Games", true},
		{"non-free/superuser/games", false, "", "", false},
		{"user", false, "", "", false},
		{"games/user", false, "", "", false},
	}
	for _, tt := range tests {
		c, ok := SectionCategory(tt.section)
		if ok != tt.user || IsUserSection(tt.section) != tt.user || c.ID != tt.id || c.Name != tt.name {
			t.Errorf("%q: got %+v %v", tt.section, c, ok)
		}
		if VisibleSection(tt.section, false) != tt.visible {
			t.Errorf("%q: visible %v", tt.section, !tt.visible)
		}
		if VisibleSection(tt.section, true) != tt.user {
			t.Errorf("%q: visible when installed %v", tt.section, !tt.user)
		}
	}
}
