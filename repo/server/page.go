package server

import (
	"bytes"
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

//go:embed page
var pageFiles embed.FS

// pageData is what the Downloads page shows (renderPage, after
// page/index.html). Every value is escaped for its context (text,
// attribute, URL).
type pageData struct {
	Title, Query, Arch, Category, AllURL string
	Categories                           []pageCategory
	Apps                                 []pageApp
}

type pageCategory struct {
	Name, URL string
	Current   bool
}

type pageApp struct {
	ID, Name, Version, Architecture, CategoryName, Size string
	Summary, Description, Text                          string
	IconURL, InstallURL, DownloadURL                    string
}

// page answers / with the Downloads page: the apps of ?architecture=,
// ?category= and ?q= (as the feed selects them), each with its icon and
// links to its .install file and .deb; categories and a search form that
// work without JavaScript. URLs are relative, so the page works behind a
// proxy that mounts the server below a path.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	c, dc, f, err := s.feedRequest(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	d := pageData{Title: firstNonEmpty(c.settings.Label, c.settings.Origin, "Downloads"), Query: r.URL.Query().Get("q"),
		Arch: f.arch, Category: f.category}
	keep := url.Values{}
	for _, k := range []string{"architecture", "dist", "tag"} {
		if v := r.URL.Query()[k]; len(v) > 0 {
			keep[k] = v
		}
	}
	d.AllURL = "./" + encodeQuery(keep)
	for _, cat := range categoryList(dc) {
		v := cloneValues(keep)
		v.Set("category", cat.ID)
		d.Categories = append(d.Categories, pageCategory{cat.Name, "./" + encodeQuery(v), strings.EqualFold(cat.ID, f.category)})
	}
	for _, e := range dc.apps(f) {
		d.Apps = append(d.Apps, s.pageApp(e, dc, f))
	}
	var b bytes.Buffer
	renderPage(&b, d)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'")
	w.Write(b.Bytes())
}

func (s *Server) pageApp(e *pkg, dc *distCatalog, f *filter) pageApp {
	a := s.app(e, dc, f, ".")
	return pageApp{
		ID: a.ID, Name: a.Name, Version: a.Version, Architecture: a.Architecture, CategoryName: a.CategoryName,
		Size: humanSize(a.Size), Summary: a.Summary, Description: a.Description,
		Text:    strings.ToLower(a.ID + " " + a.Name + " " + a.Summary + " " + a.Description),
		IconURL: strings.TrimPrefix(a.IconURL, "./"), InstallURL: strings.TrimPrefix(a.InstallURL, "./"),
		DownloadURL: strings.TrimPrefix(a.DownloadURL, "./"),
	}
}

// pageAsset serves page.css and page.js.
func (s *Server) pageAsset(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.URL.Path)
	data, err := pageFiles.ReadFile("page/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ct := "text/css; charset=utf-8"
	if path.Ext(name) == ".js" {
		ct = "text/javascript; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(data)
}

func encodeQuery(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string{}, vs...)
	}
	return out
}

// humanSize writes a size in bytes as "12 KiB".
func humanSize(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 10<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
