package server

import (
	"bytes"
	"fmt"
	"strings"
)

// renderPage writes the Downloads page for d, byte for byte as
// html/template writes page/index.html (TestRenderPageMatchesTemplate):
// text and attribute values escaped as its HTML escaper does, URLs with
// its scheme filter and normaliser first. It is written out here because
// linking html/template cost every aim command its package
// initialisation at start-up (issue 18); page/index.html stays as the
// reference the test renders.
func renderPage(b *bytes.Buffer, d pageData) {
	w := pageWriter{b}
	w.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	w.text(d.Title)
	w.raw("</title>\n<link rel=\"stylesheet\" href=\"static/page.css\">\n</head>\n<body>\n<header>\n<h1>")
	w.text(d.Title)
	w.raw("</h1>\n<form method=\"get\" action=\"./\" role=\"search\">")
	if d.Arch != "" {
		w.raw(`<input type="hidden" name="architecture" value="`)
		w.text(d.Arch)
		w.raw(`">`)
	}
	if d.Category != "" {
		w.raw(`<input type="hidden" name="category" value="`)
		w.text(d.Category)
		w.raw(`">`)
	}
	w.raw("\n<input type=\"search\" name=\"q\" id=\"q\" value=\"")
	w.text(d.Query)
	w.raw("\" placeholder=\"Search apps\" aria-label=\"Search apps\">\n<button type=\"submit\">Search</button>\n</form>\n" +
		"<nav aria-label=\"Categories\">\n<a href=\"")
	w.url(d.AllURL)
	w.raw(`"`)
	if d.Category == "" {
		w.raw(` class="current"`)
	}
	w.raw(">All</a>")
	for _, c := range d.Categories {
		w.raw("\n<a href=\"")
		w.url(c.URL)
		w.raw(`"`)
		if c.Current {
			w.raw(` class="current"`)
		}
		w.raw(">")
		w.text(c.Name)
		w.raw("</a>")
	}
	w.raw("\n</nav>\n</header>\n<main>\n<p class=\"count\" id=\"count\">")
	plural := "s"
	if len(d.Apps) == 1 {
		plural = ""
	}
	w.raw(fmt.Sprintf("%d app%s</p>\n<ul class=\"apps\" id=\"apps\">", len(d.Apps), plural))
	for _, a := range d.Apps {
		w.app(a)
	}
	w.raw("\n</ul>")
	if len(d.Apps) == 0 {
		w.raw(`<p class="empty">No apps found.</p>`)
	}
	w.raw("\n</main>\n<footer><a href=\"key.asc\">Repository key</a> · <a href=\"api/v1/apps\">Feed</a></footer>\n" +
		"<script src=\"static/page.js\"></script>\n</body>\n</html>\n")
}

// pageWriter writes HTML to a buffer.
type pageWriter struct{ b *bytes.Buffer }

func (w pageWriter) raw(s string) { w.b.WriteString(s) }

// app writes one app's list item.
func (w pageWriter) app(a pageApp) {
	w.raw("\n<li class=\"app\" id=\"app-")
	w.text(a.ID)
	w.raw(`" data-text="`)
	w.text(a.Text)
	w.raw(`">`)
	if a.IconURL != "" {
		w.raw(`<img src="`)
		w.url(a.IconURL)
		w.raw(`" width="26" height="26" alt="">`)
	} else {
		w.raw(`<span class="noicon"></span>`)
	}
	w.raw("\n<div class=\"body\">\n<h2><span class=\"name\">")
	w.text(a.Name)
	w.raw(`</span> <span class="version">`)
	w.text(a.Version)
	w.raw("</span></h2>\n<p class=\"meta\">")
	w.text(a.CategoryName)
	w.raw(" · ")
	w.text(a.Architecture)
	w.raw(" · ")
	w.text(a.Size)
	w.raw("</p>\n<p class=\"summary\">")
	w.text(a.Summary)
	w.raw("</p>")
	if a.Description != "" {
		w.raw(`<details><summary>More</summary><p class="description">`)
		w.text(a.Description)
		w.raw("</p></details>")
	}
	w.raw("\n<p class=\"actions\"><a class=\"install\" href=\"")
	w.url(a.InstallURL)
	w.raw(`" type="application/x-install-instructions" download="`)
	w.text(a.ID)
	w.raw(`.install">Install</a> <a class="deb" href="`)
	w.url(a.DownloadURL)
	w.raw("\">.deb</a></p>\n</div>\n</li>")
}

// text writes s escaped for HTML text or a quoted attribute value, as
// html/template's HTML escaper does.
func (w pageWriter) text(s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			w.b.WriteString("\uFFFD")
		case '"':
			w.b.WriteString("&#34;")
		case '&':
			w.b.WriteString("&amp;")
		case '\'':
			w.b.WriteString("&#39;")
		case '+':
			w.b.WriteString("&#43;")
		case '<':
			w.b.WriteString("&lt;")
		case '>':
			w.b.WriteString("&gt;")
		default:
			w.b.WriteByte(c)
		}
	}
}

// url writes s as the value of a URL attribute (href, src), as
// html/template does: a URL with a scheme other than http, https or
// mailto becomes "#ZgotmplZ", bytes outside RFC 3986's reserved and
// unreserved sets are percent-encoded (but for the '%' of a valid
// escape), then the result is escaped as text.
func (w pageWriter) url(s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
		switch strings.ToLower(scheme) {
		case "http", "https", "mailto":
		default:
			s = "#ZgotmplZ"
		}
	}
	var n strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0,
			'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			n.WriteByte(c)
		default:
			fmt.Fprintf(&n, "%%%02x", c)
		}
	}
	w.text(n.String())
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
