package singleclick

import (
	"aim/policy"
	"aim/repo/pgp"
)

// Offer is what a staged .install file asks for, as a front end shows it
// before the user confirms: the repositories, the packages, the keys not
// yet trusted and the plan with its sizes. Its JSON form (lower-camel
// keys) is what the D-Bus service's openInstallFile returns.
type Offer struct {
	// ID names the offer to confirm or decline (the service's; "" locally).
	ID string `json:"id"`
	// File is the file's name or URL as given.
	File         string            `json:"file"`
	Repositories []OfferRepository `json:"repositories"`
	// Packages are the packages the file installs; AlreadyInstalled those
	// of them installed at their candidate version ("NAME VERSION").
	Packages         []string `json:"packages"`
	AlreadyInstalled []string `json:"alreadyInstalled"`
	// Keys are the repository keys the user is asked to trust.
	Keys []OfferKey `json:"keys"`
	// Plan is the install's plan; nil when nothing is to be installed.
	Plan *policy.PlanJSON `json:"plan"`
	// DownloadSize is the bytes to download, InstalledSize the change in
	// disk use (negative when space is freed).
	DownloadSize  int64 `json:"downloadSize"`
	InstalledSize int64 `json:"installedSize"`
}

// OfferRepository is a repository of an offer and what staging does with it.
type OfferRepository struct {
	Name   string `json:"name"`
	URI    string `json:"uri"`
	Line   string `json:"line"`
	Action Action `json:"action"`
	Source string `json:"source,omitempty"`
}

// OfferKey is a repository key not trusted yet.
type OfferKey struct {
	// Repository and URI name the repository signed by the key.
	Repository  string `json:"repository"`
	URI         string `json:"uri"`
	Fingerprint string `json:"fingerprint"`
	Algorithm   string `json:"algorithm"`
	UserID      string `json:"userId"`
}

// KeyOf describes key k of repository r for an offer.
func KeyOf(r *Repository, k pgp.Key) OfferKey {
	uid := ""
	if len(k.UserIDs) > 0 {
		uid = k.UserIDs[0]
	}
	name := r.Name
	if name == "" {
		name = r.URI
	}
	return OfferKey{Repository: name, URI: r.URI, Fingerprint: k.Fingerprint, Algorithm: k.Algorithm, UserID: uid}
}

// Describe returns the offer of st, with keys the untrusted keys staging
// met (see Options.Trust).
func Describe(st *Staged, keys []OfferKey) Offer {
	o := Offer{File: st.File.Name, Packages: append([]string{}, st.File.Packages...),
		AlreadyInstalled: append([]string{}, st.Done...), Keys: append([]OfferKey{}, keys...), Repositories: []OfferRepository{}}
	for _, r := range st.File.Repositories {
		name := r.Name
		if name == "" {
			name = r.URI
		}
		o.Repositories = append(o.Repositories, OfferRepository{Name: name, URI: r.URI, Line: r.Line, Action: r.Action, Source: r.Source})
	}
	if d := st.Decision; d != nil && d.Outcome != nil {
		j := d.Outcome.JSON()
		o.Plan = &j
		o.DownloadSize, o.InstalledSize = d.Download, d.Disk
	}
	return o
}
