// Package resolver finds installation plans for Debian-style packages: given
// a universe of candidate package versions, the installed set and a
// request, it returns a Plan (what to install, upgrade and remove, in an
// order dpkg can execute) or an error that explains why none exists.
//
// The solver is a conflict-driven clause-learning (CDCL) search over the
// part of the universe reachable from the request and the installed set.
// Clauses are generated lazily, when a package is first assigned, so only
// the packages a plan can touch are ever read. Decisions follow the
// universe's preference order (first alternative first, best candidate
// first), which makes plans apt-like and deterministic; completeness comes
// from clause learning, and a final pass drops every new package nothing
// needs, so plans are irreducible (Recommends aside).
//
// The package sees the world only through the Universe interface and does
// no I/O. What may be removed or changed is the caller's decision, given
// in the Request; the maemo rules live in package policy.
package resolver
