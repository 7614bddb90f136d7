package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"aim/repo/pgp"
	"aim/repo/pkgsig"
	"aim/repo/publish"
)

// DefaultMaxUpload bounds an upload's size when Config.MaxUpload is 0.
const DefaultMaxUpload = 256 << 20

// Config says what a Server serves and how.
type Config struct {
	// Dir is the repository directory (aim repo init), published or not.
	Dir string
	// BaseURL is the URL clients reach Dir at, for the URLs of the feed
	// and .install files; when empty, they are built from each request's
	// scheme and Host.
	BaseURL string
	// UploadToken is the bearer token of POST /api/v1/upload; uploads are
	// refused when it or Signer is empty.
	UploadToken string
	// Signer signs the Release files an upload publishes.
	Signer publish.ReleaseSigner
	// ValidFor is publish.Options.ValidFor of those publishes.
	ValidFor time.Duration
	// StoreSigner, when set, store-signs every upload before it is
	// added (pkgsig.SignFile with role store).
	StoreSigner *pgp.Signer
	// Trust and Require, when Require is not empty, refuse an upload
	// without a valid signature of that role by a key Trust trusts.
	Trust   *pkgsig.Trust
	Require pkgsig.Role
	// MaxUpload bounds an upload's size in bytes (DefaultMaxUpload when 0).
	MaxUpload int64
	// Private names files never served even when below Dir (the token
	// file, keys).
	Private []string
	// Log receives the access log, one line a request, and reload
	// failures; nil discards them.
	Log io.Writer
	// ReloadEvery is how often a request may check whether the
	// repository was published again (1s when 0).
	ReloadEvery time.Duration
	// Now gives the time of publishes and signatures (time.Now when nil).
	Now func() time.Time
}

// Server serves one repository directory. It is an http.Handler; it is
// safe for concurrent use.
type Server struct {
	cfg    Config
	static *staticFiles
	mux    *http.ServeMux
	cat    atomic.Pointer[catalog]
	// checked is when the catalog was last compared with the disk
	// (unix nanoseconds).
	checked  atomic.Int64
	reloadMu sync.Mutex
	uploadMu sync.Mutex
	logMu    sync.Mutex
}

// New opens cfg.Dir and reads its published catalog. It fails when Dir
// is not a repository or its published files are unreadable.
func New(cfg Config) (*Server, error) {
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("base URL %q: want an http or https URL", cfg.BaseURL)
		}
		cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.ReloadEvery == 0 {
		cfg.ReloadEvery = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	root, err := os.OpenRoot(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("serve %s: %w", cfg.Dir, err)
	}
	real, err := filepath.EvalSymlinks(cfg.Dir)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("serve %s: %w", cfg.Dir, err)
	}
	private := append([]string{filepath.Join(real, publish.ConfigFile)}, cfg.Private...)
	s := &Server{cfg: cfg, static: &staticFiles{root: root, dir: real, private: statPrivate(private)}}
	c, err := loadCatalog(cfg.Dir)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("serve %s: %w", cfg.Dir, err)
	}
	s.cat.Store(c)
	s.checked.Store(time.Now().UnixNano())
	s.routes()
	return s, nil
}

// Close releases the repository directory.
func (s *Server) Close() error { return s.static.root.Close() }

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /api/v1/hello", s.hello)
	m.HandleFunc("GET /api/v1/apps", s.appsList)
	m.HandleFunc("GET /api/v1/apps/{id}", s.appOne)
	m.HandleFunc("GET /api/v1/apps/{id}/icon", s.appIcon)
	m.HandleFunc("GET /api/v1/categories", s.categories)
	m.HandleFunc("POST /api/v1/upload", s.upload)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint")
	})
	m.HandleFunc("GET /install/{file}", s.install)
	m.HandleFunc("GET /{$}", s.page)
	// Browsers ask for /favicon.ico whatever the page says; answer it
	// without an error so the console stays clean.
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	m.HandleFunc("GET /static/page.css", s.pageAsset)
	m.HandleFunc("GET /static/page.js", s.pageAsset)
	s.mux = m
}

// ServeHTTP answers r: the API, .install files and the page through the
// mux, every other GET or HEAD from the static tree; it logs the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	lw := &logWriter{ResponseWriter: w, status: http.StatusOK}
	s.refresh()
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/install/") || p == "/" || p == "/favicon.ico" || strings.HasPrefix(p, "/static/"):
		s.mux.ServeHTTP(lw, r)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.static.serve(lw, r)
	default:
		lw.Header().Set("Allow", "GET, HEAD")
		http.Error(lw, "method not allowed", http.StatusMethodNotAllowed)
	}
	s.logf("%s - - [%s] %q %d %d %.3fms\n", remoteHost(r), start.Format("02/Jan/2006:15:04:05 -0700"),
		r.Method+" "+r.URL.RequestURI()+" "+r.Proto, lw.status, lw.bytes, float64(time.Since(start).Microseconds())/1000)
}

func (s *Server) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.cfg.Log, format, args...)
}

func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// logWriter records a response's status and size for the access log.
type logWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *logWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(b []byte) (int, error) {
	w.wrote = true
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// refresh reloads the catalog when the repository was published since it
// was read, checking at most once every ReloadEvery. A failed reload
// keeps the current catalog and is logged.
func (s *Server) refresh() {
	now := time.Now().UnixNano()
	last := s.checked.Load()
	if now-last < int64(s.cfg.ReloadEvery) || !s.checked.CompareAndSwap(last, now) {
		return
	}
	if err := s.Reload(false); err != nil {
		s.logf("aim: reload %s: %v\n", s.cfg.Dir, err)
	}
}

// Reload reads the repository's catalog again when its settings or a
// Release changed (always, when force), and swaps it in whole: requests
// already running keep the catalog they started with.
func (s *Server) Reload(force bool) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if !force {
		stamp, err := catalogStamp(s.cfg.Dir)
		if err != nil {
			return err
		}
		if stamp == s.cat.Load().stamp {
			return nil
		}
	}
	c, err := loadCatalog(s.cfg.Dir)
	if err != nil {
		return err
	}
	s.cat.Store(c)
	return nil
}

// hostPattern is what a Host header may hold to be used in URLs.
// It is compiled on first use, not at start-up.
var hostPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)
})

// errBadHost refuses a request whose Host cannot make a URL.
var errBadHost = errors.New("bad Host header")

// baseURL is the URL of the repository's top for r: Config.BaseURL, else
// the request's scheme and Host.
func (s *Server) baseURL(r *http.Request) (string, error) {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL, nil
	}
	if !hostPattern().MatchString(r.Host) {
		return "", errBadHost
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host, nil
}
