package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"aim/deb"
)

// Statuses of /api/v1/hello.
const (
	StatusOK               = "ok"
	StatusIncompatibleArch = "incompatible-architecture"
	StatusMalformedTag     = "malformed-tag"
	maxQuery               = 256
	feedCacheControl       = "no-cache"
	jsonContentType        = "application/json; charset=utf-8"
)

// App is one entry of the feed: the build of a user package the request
// selects. Sizes are in bytes (Installed-Size is KiB in control data).
type App struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Version       string   `json:"version"`
	Architecture  string   `json:"architecture"`
	Category      string   `json:"category"`
	CategoryName  string   `json:"categoryName"`
	Summary       string   `json:"summary"`
	Description   string   `json:"description"`
	Size          int64    `json:"size"`
	InstalledSize int64    `json:"installedSize"`
	Tags          []string `json:"tags"`
	ConflictTags  []string `json:"conflictTags"`
	SHA256        string   `json:"sha256"`
	// IconURL is empty when the package has no icon.
	IconURL     string `json:"iconUrl"`
	DownloadURL string `json:"downloadUrl"`
	InstallURL  string `json:"installUrl"`
}

// Hello is the answer of /api/v1/hello.
type Hello struct {
	Status string `json:"status"`
	// Error says which tag is malformed or which architecture is missing.
	Error         string   `json:"error,omitempty"`
	Dist          string   `json:"dist"`
	Architectures []string `json:"architectures"`
	// Tags are the request's tags, simplified.
	Tags []string `json:"tags"`
}

// errorBody is every error answer of the API.
type errorBody struct {
	Error string `json:"error"`
	// Findings are an upload's lint findings.
	Findings []string `json:"findings,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("Cache-Control", feedCacheControl)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// feedRequest reads the query every feed endpoint shares: dist,
// architecture, tag (comma-separated, repeatable), category and q.
func (s *Server) feedRequest(r *http.Request) (*catalog, *distCatalog, *filter, error) {
	c := s.cat.Load()
	q := r.URL.Query()
	dc, ok := c.dist(q.Get("dist"))
	if !ok {
		return nil, nil, nil, errors.New("no such dist")
	}
	f := &filter{arch: q.Get("architecture"), category: strings.ToLower(q.Get("category"))}
	if len(q.Get("q")) > maxQuery {
		return nil, nil, nil, errors.New("query too long")
	}
	f.query = strings.ToLower(strings.TrimSpace(q.Get("q")))
	tags, err := ParseTags(strings.Join(q["tag"], ","))
	if err != nil {
		return nil, nil, nil, err
	}
	f.tags, f.tagged = tags, q.Has("tag")
	return c, dc, f, nil
}

func (s *Server) hello(w http.ResponseWriter, r *http.Request) {
	c := s.cat.Load()
	q := r.URL.Query()
	dc, ok := c.dist(q.Get("dist"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such dist")
		return
	}
	h := Hello{Status: StatusOK, Dist: dc.name, Architectures: append([]string{}, dc.archs...), Tags: []string{}}
	tags, err := ParseTags(strings.Join(q["tag"], ","))
	arch := q.Get("architecture")
	switch {
	case err != nil:
		h.Status, h.Error = StatusMalformedTag, err.Error()
	case arch != "" && !dc.hasArch(arch):
		h.Status, h.Error = StatusIncompatibleArch, "the repository has no index for architecture "+arch
	default:
		h.Tags = tagStrings(tags)
	}
	writeJSON(w, http.StatusOK, h)
}

func (s *Server) appsList(w http.ResponseWriter, r *http.Request) {
	_, dc, f, err := s.feedRequest(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	base, err := s.baseURL(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	apps := []App{}
	for _, e := range dc.apps(f) {
		apps = append(apps, s.app(e, dc, f, base))
	}
	writeJSON(w, http.StatusOK, map[string][]App{"apps": apps})
}

// chosen finds the build of the app named by the request's {id}, writing
// the error answer when there is none.
func (s *Server) chosen(w http.ResponseWriter, r *http.Request) (*distCatalog, *filter, *pkg, bool) {
	_, dc, f, err := s.feedRequest(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return nil, nil, nil, false
	}
	e := dc.pick(r.PathValue("id"), f)
	if e == nil {
		writeError(w, http.StatusNotFound, "no such app")
		return nil, nil, nil, false
	}
	return dc, f, e, true
}

func (s *Server) appOne(w http.ResponseWriter, r *http.Request) {
	dc, f, e, ok := s.chosen(w, r)
	if !ok {
		return
	}
	base, err := s.baseURL(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.app(e, dc, f, base))
}

func (s *Server) appIcon(w http.ResponseWriter, r *http.Request) {
	_, _, e, ok := s.chosen(w, r)
	if !ok {
		return
	}
	png, err := e.icon()
	if err != nil {
		writeError(w, http.StatusNotFound, "no icon: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("ETag", `"`+e.sha256+`"`)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(png))
}

// CategoryJSON is one entry of /api/v1/categories.
type CategoryJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Predefined bool   `json:"predefined"`
}

func (s *Server) categories(w http.ResponseWriter, r *http.Request) {
	_, dc, _, err := s.feedRequest(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string][]CategoryJSON{"categories": categoryList(dc)})
}

// categoryList is maemo's predefined categories, then the dist's custom
// ones by id.
func categoryList(dc *distCatalog) []CategoryJSON {
	var out []CategoryJSON
	for _, c := range append(append([]deb.Category{}, deb.PredefinedCategories...), dc.custom...) {
		out = append(out, CategoryJSON{c.ID, deb.DisplayString(c.Name), c.Predefined})
	}
	return out
}

// app describes e for the feed, with absolute URLs below base; the icon
// and .install URLs carry the request's architecture and dist.
func (s *Server) app(e *pkg, dc *distCatalog, f *filter, base string) App {
	desc := deb.DisplayString(e.para.Get("Description"))
	v := url.Values{}
	if f.arch != "" {
		v.Set("architecture", f.arch)
	}
	if dc.name != s.cat.Load().settings.Dists[0] {
		v.Set("dist", dc.name)
	}
	query := ""
	if len(v) > 0 {
		query = "?" + v.Encode()
	}
	id := url.PathEscape(e.name)
	a := App{
		ID: e.name, Name: e.displayName(), Version: e.version, Architecture: e.arch,
		Category: e.category.ID, CategoryName: deb.DisplayString(e.category.Name),
		Summary: deb.Synopsis(desc), Description: deb.Extended(desc),
		Size: e.size, InstalledSize: e.installedKB * 1024,
		Tags: tagStrings(e.tags), ConflictTags: tagStrings(e.conflicts), SHA256: e.sha256,
		DownloadURL: base + "/" + e.filename,
		InstallURL:  base + "/install/" + id + ".install" + query,
	}
	if e.hasIcon() {
		a.IconURL = base + "/api/v1/apps/" + id + "/icon" + query
	}
	return a
}

// install answers /install/ID.install: the .install file of the app ID
// for this repository, in the classic form for ?distribution= naming a
// maemo release that reads it, else the catalogue form.
func (s *Server) install(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".install")
	if !ok {
		writeError(w, http.StatusNotFound, "not a .install file")
		return
	}
	r.SetPathValue("id", id)
	dc, _, e, ok := s.chosen(w, r)
	if !ok {
		return
	}
	base, err := s.baseURL(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	c := s.cat.Load()
	data, err := installFile(&c.settings, base, dc.name, e, strings.ToLower(r.URL.Query().Get("distribution")))
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", InstallMIMEType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(e.name)+`.install"`)
	w.Header().Set("Cache-Control", feedCacheControl)
	w.Write(data)
}

// safeFileName keeps the characters of a package name (which are safe in
// a quoted header value); anything else becomes "_".
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+-.", r) {
			return r
		}
		return '_'
	}, s)
}
