package dbus

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// trustForTest makes http.DefaultTransport, which the service's
// downloads clone, trust srv's certificate until t ends.
func trustForTest(t *testing.T, srv *httptest.Server) {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport)
	old := tr.TLSClientConfig
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	cfg := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	cfg.RootCAs = pool
	tr.TLSClientConfig = cfg
	t.Cleanup(func() { tr.TLSClientConfig = old })
}

// TestDownloadRefusesHTTPSDowngrade asks the service to install from an
// https URL that redirects: to the same package over https it installs;
// to plain http the task fails as a network error before any request
// reaches the plain server, and nothing is left.
func TestDownloadRefusesHTTPSDowngrade(t *testing.T) {
	addr := startBus(t)
	root := newRoot(t, "")
	service(t, addr, root, 0)
	c := dial(t, addr)
	dir := t.TempDir()
	deb := filepath.Base(buildDeb(t, dir, pkgSpec{name: "web", version: "1.0", section: "user/tools", sign: true}))
	var plainHits atomic.Int32
	files := http.FileServer(http.Dir(dir))
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		files.ServeHTTP(w, r)
	}))
	defer plain.Close()
	var tlsSrv *httptest.Server
	tlsSrv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-plain":
			http.Redirect(w, r, plain.URL+"/"+deb, http.StatusFound)
		case "/to-tls":
			http.Redirect(w, r, tlsSrv.URL+"/"+deb, http.StatusFound)
		default:
			files.ServeHTTP(w, r)
		}
	}))
	defer tlsSrv.Close()
	trustForTest(t, tlsSrv)

	tests := []struct {
		path    string
		refused bool
	}{
		{"/to-plain", true},
		{"/to-tls", false},
	}
	for _, tt := range tests {
		id := c.str("startPackageInstallation", tlsSrv.URL+tt.path)
		if id == "" {
			t.Fatalf("%s: no task", tt.path)
		}
		if !tt.refused {
			c.call("acknowledgePackageInstallation", nil, id)
			c.until(id, "taskFinished")
			continue
		}
		evs := c.until(id, "taskFailed")
		last := evs[len(evs)-1]
		if code := last.body[1].(int32); code != codeNetwork || !strings.Contains(last.body[2].(string), "redirect from https to http") {
			t.Errorf("%s: taskFailed %v, want a refused redirect", tt.path, last.body)
		}
		if n := plainHits.Load(); n != 0 {
			t.Errorf("%s: the plain server got %d requests", tt.path, n)
		}
		if _, err := os.Stat(filepath.Join(root, IncomingDir, id+".deb")); !os.IsNotExist(err) {
			t.Errorf("download left: %v", err)
		}
		if _, err := os.Stat(filepath.Join(root, "usr/share/web")); !os.IsNotExist(err) {
			t.Errorf("installed from a downgraded redirect: %v", err)
		}
	}
}
