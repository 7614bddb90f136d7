package resolver

import (
	"fmt"
	"strings"
)

// Reason is one link of an explanation: a package and what it does to the
// next one. It is meant to be marshalled as JSON.
type Reason struct {
	// Kind is one of "requested", "depends", "pre-depends", "conflicts",
	// "breaks", "missing", "installed", "locked", "essential", "removing",
	// "broken", "needs".
	Kind      string `json:"kind"`
	Package   string `json:"package"`
	Version   string `json:"version,omitempty"`
	User      bool   `json:"user,omitempty"`
	Installed bool   `json:"installed,omitempty"`
	// Relation is the relation as written in the package, when there is one.
	Relation string `json:"relation,omitempty"`
	// Target is the package on the other side of a conflict, when known.
	Target          string `json:"target,omitempty"`
	TargetVersion   string `json:"targetVersion,omitempty"`
	TargetUser      bool   `json:"targetUser,omitempty"`
	TargetInstalled bool   `json:"targetInstalled,omitempty"`
	// Text is the link as one English clause.
	Text string `json:"text"`
}

// ConflictError is the resolver's "no plan": Chain goes from what the user
// asked for down to the clash, naming user packages where they are
// involved rather than the libraries in between.
type ConflictError struct {
	// Request is what was asked, e.g. "install app-b".
	Request string
	// Chain is the explanation, first link first.
	Chain []Reason
}

// Error returns "cannot REQUEST: LINK, LINK, but LINK".
func (e *ConflictError) Error() string {
	var texts []string
	for _, r := range e.Chain {
		texts = append(texts, r.Text)
	}
	msg := joinChain(texts)
	if msg == "" {
		msg = "no set of packages satisfies every relation"
	}
	return "cannot " + e.Request + ": " + msg
}

// joinChain joins clauses as "a, b, but c", the last one being the clash.
func joinChain(texts []string) string {
	switch len(texts) {
	case 0:
		return ""
	case 1:
		return texts[0]
	}
	return strings.Join(texts[:len(texts)-1], ", ") + " but " + texts[len(texts)-1]
}

// label names a package the way explanations do: "app-a 1.0 (user,
// installed)"; the version is left out when withVersion is false.
func label(q *Package, withVersion bool) string {
	s := q.Name
	if withVersion {
		s += " " + q.Version.String()
	}
	var tags []string
	if q.User {
		tags = append(tags, "user")
	}
	if q.Installed {
		tags = append(tags, "installed")
	}
	if len(tags) > 0 {
		s += " (" + strings.Join(tags, ", ") + ")"
	}
	return s
}

func reasonFor(kind string, q *Package) Reason {
	return Reason{Kind: kind, Package: q.Name, Version: q.Version.String(), User: q.User, Installed: q.Installed}
}

// withTarget fills the other side of a conflict.
func (r Reason) withTarget(t *Package) Reason {
	r.Target, r.TargetVersion, r.TargetUser, r.TargetInstalled = t.Name, t.Version.String(), t.User, t.Installed
	return r
}

// requestText describes the request for the error's first words.
func (p *problem) requestText() string {
	var parts []string
	for _, r := range p.req.Install {
		parts = append(parts, "install "+r.String())
	}
	for _, n := range p.req.Remove {
		parts = append(parts, "remove "+n)
	}
	if len(parts) == 0 {
		return "keep the installed packages consistent"
	}
	return strings.Join(parts, " and ")
}

func (p *problem) missingError(r fmt.Stringer) error {
	text := fmt.Sprintf("no package %s is available", r)
	return &ConflictError{Request: p.requestText(), Chain: []Reason{{Kind: "missing", Package: r.String(), Text: text}}}
}

func (p *problem) essentialError(q *Package) error {
	re := reasonFor("essential", q)
	re.Text = q.Name + " is essential and is never removed"
	return &ConflictError{Request: p.requestText(), Chain: []Reason{re}}
}
