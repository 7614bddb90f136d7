package installfile

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// trustForTest makes http.DefaultTransport trust srv's certificate until
// t ends.
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

// TestReadURLRefusesHTTPSDowngrade reads a .install file through
// redirects between an https and an http server: https to http is
// refused before the plain server is asked; the others are followed.
func TestReadURLRefusesHTTPSDowngrade(t *testing.T) {
	const body = "[install]\nrepo_name = x\n"
	var plainHits atomic.Int32
	var tlsSrv, plain *httptest.Server
	handler := func(hits *atomic.Int32) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/a.install":
				if hits != nil {
					hits.Add(1)
				}
				w.Write([]byte(body))
			case "/to-plain":
				http.Redirect(w, r, plain.URL+"/a.install", http.StatusFound)
			case "/to-tls":
				http.Redirect(w, r, tlsSrv.URL+"/a.install", http.StatusFound)
			default:
				http.NotFound(w, r)
			}
		}
	}
	tlsSrv = httptest.NewTLSServer(handler(nil))
	defer tlsSrv.Close()
	plain = httptest.NewServer(handler(&plainHits))
	defer plain.Close()
	trustForTest(t, tlsSrv)
	tests := []struct {
		url     string
		refused bool
	}{
		{tlsSrv.URL + "/to-plain", true},
		{tlsSrv.URL + "/to-tls", false},
		{plain.URL + "/to-tls", false},
	}
	for _, tt := range tests {
		plainHits.Store(0)
		data, err := ReadURL(context.Background(), tt.url)
		if !tt.refused {
			if err != nil || string(data) != body {
				t.Errorf("%s: %q, %v", tt.url, data, err)
			}
			continue
		}
		if !errors.Is(err, ErrInsecureRedirect) || data != nil {
			t.Errorf("%s: got %q, %v; want ErrInsecureRedirect", tt.url, data, err)
		}
		if n := plainHits.Load(); n != 0 {
			t.Errorf("%s: the plain server got %d requests", tt.url, n)
		}
	}
}
