package repo

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// redirectServers starts a TLS server and a plain one. Each serves
// "/data" itself and redirects "/to-tls" and "/to-plain" to the other's
// (or its own) "/data"; hits counts the requests each got for "/data".
// The TLS server's certificate is trusted by http.DefaultTransport, which
// NewFetcher clones, until the test ends.
func redirectServers(t *testing.T) (tlsURL, plainURL string, tlsHits, plainHits *atomic.Int32) {
	t.Helper()
	tlsHits, plainHits = new(atomic.Int32), new(atomic.Int32)
	var tlsSrv, plain *httptest.Server
	handler := func(hits *atomic.Int32) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/data":
				hits.Add(1)
				w.Write([]byte("payload"))
			case "/to-tls":
				http.Redirect(w, r, tlsSrv.URL+"/data", http.StatusFound)
			case "/to-plain":
				http.Redirect(w, r, plain.URL+"/data", http.StatusMovedPermanently)
			case "/to-tls-to-plain":
				http.Redirect(w, r, tlsSrv.URL+"/to-plain", http.StatusFound)
			default:
				http.NotFound(w, r)
			}
		}
	}
	tlsSrv = httptest.NewTLSServer(handler(tlsHits))
	plain = httptest.NewServer(handler(plainHits))
	t.Cleanup(tlsSrv.Close)
	t.Cleanup(plain.Close)
	trustForTest(t, tlsSrv)
	return tlsSrv.URL, plain.URL, tlsHits, plainHits
}

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

// TestFetchRefusesHTTPSDowngrade follows redirects between an https and
// an http server: every one but https to http is followed; that one is
// refused before any request reaches the plain server, with no retry
// and no file written.
func TestFetchRefusesHTTPSDowngrade(t *testing.T) {
	tlsURL, plainURL, tlsHits, plainHits := redirectServers(t)
	tests := []struct {
		name    string
		url     string
		refused bool
	}{
		{"https to http", tlsURL + "/to-plain", true},
		{"http to https to http", plainURL + "/to-tls-to-plain", true},
		{"https to https to http", tlsURL + "/to-tls-to-plain", true},
		{"https to https", tlsURL + "/to-tls", false},
		{"http to http", plainURL + "/to-plain", false},
		{"http to https", plainURL + "/to-tls", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []*Fetcher{testFetcher(), {Client: &http.Client{}}} {
				tlsHits.Store(0)
				plainHits.Store(0)
				dest := filepath.Join(t.TempDir(), "out")
				_, err := f.Fetch(context.Background(), Request{URL: tt.url, Dest: dest, Size: -1})
				if !tt.refused {
					if err != nil {
						t.Fatal(err)
					}
					continue
				}
				if !errors.Is(err, ErrInsecureRedirect) {
					t.Fatalf("got %v, want ErrInsecureRedirect", err)
				}
				if n := plainHits.Load(); n != 0 {
					t.Errorf("plain server got %d requests", n)
				}
				if _, err := os.Stat(dest); err == nil {
					t.Error("file written")
				}
			}
		})
	}
}
