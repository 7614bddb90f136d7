package main

import (
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"aim/repo"
)

// TestFetchKeyRefusesHTTPSDowngrade fetches a key (aim key add URL)
// from https that redirects to http: refused before the plain server is
// asked.
func TestFetchKeyRefusesHTTPSDowngrade(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		w.Write([]byte("key"))
	}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/key.asc", http.StatusFound)
	}))
	defer tlsSrv.Close()
	tr := http.DefaultTransport.(*http.Transport)
	old := tr.TLSClientConfig
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())
	tr.TLSClientConfig = tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	tr.TLSClientConfig.RootCAs = pool
	defer func() { tr.TLSClientConfig = old }()

	_, err := fetchKey(tlsSrv.URL + "/key.asc")
	if !errors.Is(err, repo.ErrInsecureRedirect) {
		t.Errorf("got %v, want repo.ErrInsecureRedirect", err)
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain server got %d requests", n)
	}
}
