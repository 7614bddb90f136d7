package server

import (
	"bytes"
	"html/template"
	"sync"
	"testing"
)

// templateRender renders d with html/template and page/index.html, the
// reference renderPage must match.
func templateRender(t testing.TB, d pageData) string {
	t.Helper()
	tpl, err := pageTemplate()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var pageTemplate = sync.OnceValues(func() (*template.Template, error) {
	return template.ParseFS(pageFiles, "page/index.html")
})

// pageHostile holds strings that need escaping in text, attributes and URLs.
var pageHostile = []string{
	"", "plain", `<script>alert("x")</script>"><img src=x onerror=alert(1)>`, "a&b+c'd", "x\x00y",
	"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>", "https://example.org/a b?c=d&e=ü#f",
	"mailto:a@example.org", "./?architecture=amd64&category=games", "pool/main/h/hello/hello_1:2.0~rc1+b1_all.deb",
	"/x:y", "ab%zz(1)'\"", "bad \xff utf-8", "ü€𝄞",
}

func pageCase(i int) pageData {
	h := func(k int) string { return pageHostile[(i+k)%len(pageHostile)] }
	d := pageData{Title: h(0), Query: h(1), Arch: h(2), Category: h(3), AllURL: h(4)}
	for k := 0; k < i%3; k++ {
		d.Categories = append(d.Categories, pageCategory{Name: h(5 + k), URL: h(6 + k), Current: k == 1})
	}
	for k := 0; k < i%4; k++ {
		d.Apps = append(d.Apps, pageApp{ID: h(k), Name: h(k + 1), Version: h(k + 2), Architecture: h(k + 3),
			CategoryName: h(k + 4), Size: h(k + 5), Summary: h(k + 6), Description: h(k + 7), Text: h(k + 8),
			IconURL: h(k + 9), InstallURL: h(k + 10), DownloadURL: h(k + 11)})
	}
	return d
}

// TestRenderPageMatchesTemplate renders pages of pageHostile strings in every
// field, with none, one and several categories and apps, with renderPage
// and with html/template: the bytes must be the same.
func TestRenderPageMatchesTemplate(t *testing.T) {
	for i := 0; i < 3*len(pageHostile); i++ {
		d := pageCase(i)
		var b bytes.Buffer
		renderPage(&b, d)
		if want := templateRender(t, d); b.String() != want {
			t.Fatalf("case %d: renderPage differs from html/template:\n got: %q\nwant: %q", i, b.String(), want)
		}
	}
}

// FuzzRenderPage checks renderPage against html/template for arbitrary
// strings in a text, an attribute and a URL field.
func FuzzRenderPage(f *testing.F) {
	for _, s := range pageHostile {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, text, attr, u string) {
		d := pageData{Title: text, Query: attr, AllURL: u, Category: attr,
			Categories: []pageCategory{{Name: text, URL: u, Current: true}},
			Apps:       []pageApp{{ID: attr, Name: text, Text: attr, IconURL: u, InstallURL: u, DownloadURL: u, Description: text}}}
		var b bytes.Buffer
		renderPage(&b, d)
		if want := templateRender(t, d); b.String() != want {
			t.Fatalf("renderPage differs from html/template:\n got: %q\nwant: %q", b.String(), want)
		}
	})
}
