package resolver

import (
	"fmt"

	"aim/deb"
)

// RelationFields names every field ParseRelationsOf reads, for a caller
// that parses only those of a paragraph (deb.ParseParagraphFields).
var RelationFields = []string{"Package", "Multi-Arch", "Essential", "Pre-Depends", "Depends", "Recommends",
	"Conflicts", "Breaks", "Replaces", "Provides"}

// ParseRelationsOf reads the fields the resolver uses from a control
// paragraph: the relation fields, Multi-Arch and Essential (RelationFields).
// A malformed field gives an error naming it.
func ParseRelationsOf(para *deb.Paragraph) (*Relations, error) {
	r := &Relations{MultiArch: ParseMultiArch(para.Get("Multi-Arch")), Essential: para.Get("Essential") == "yes"}
	fields := [...]struct {
		name string
		dst  *deb.Relations
	}{{"Pre-Depends", &r.PreDepends}, {"Depends", &r.Depends}, {"Recommends", &r.Recommends},
		{"Conflicts", &r.Conflicts}, {"Breaks", &r.Breaks}, {"Replaces", &r.Replaces}, {"Provides", &r.Provides}}
	for _, f := range fields {
		v, ok := para.Lookup(f.name)
		if !ok {
			continue
		}
		rels, err := deb.ParseRelationField(f.name, v)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", para.Get("Package"), err)
		}
		*f.dst = rels
	}
	return r, nil
}
