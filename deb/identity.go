package deb

// Identity is what names one version of a binary package in a control
// paragraph, as written: the Version is not parsed, so a caller chooses
// how strictly to read it (ParseVersion, ParseVersionLax) and what to say
// when it is malformed. Absent fields are empty.
type Identity struct {
	Package      string `control:"Package"`
	Version      string `control:"Version"`
	Architecture string `control:"Architecture"`
}

// IdentityOf decodes the Identity of p. It cannot fail: every field is a
// plain string.
func IdentityOf(p *Paragraph) Identity {
	var id Identity
	if err := Unmarshal(p, &id); err != nil {
		panic("deb: decoding string fields failed: " + err.Error()) // broken invariant, not bad input
	}
	return id
}
