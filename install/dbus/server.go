package dbus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"aim/db"
	"aim/deb"
	"aim/deb/rootfs"
	"aim/install"
	"aim/repo/pkgsig"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// Config says how a Server runs. Only Root is required.
type Config struct {
	// Root is the root the engine installs under ("" means "/").
	Root string
	// Lang is the locale display names are chosen for (e.g. "de_DE.UTF-8").
	Lang string
	// ChrootlessScripts runs maintainer scripts on the host with
	// DPKG_ROOT instead of chrooted into Root.
	ChrootlessScripts bool
	// Now gives the time signatures are checked at; nil means time.Now.
	Now func() time.Time
	// AckTimeout is how long an installation waits for
	// acknowledgePackageInstallation before it is cancelled (aim.conf's
	// acknowledge-timeout); 0 means DefaultAckTimeout.
	AckTimeout time.Duration
	// Arch is the native architecture (aim.conf's architecture); ""
	// means deb.HostArch().
	Arch string
	// Foreign are the foreign architectures (aimconf.Foreign), whose
	// indexes updates fetch too.
	Foreign []string
	// Policy is what an installed package's signatures must meet
	// (aim.conf's package-trust); "" means pkgsig.RequireStore.
	Policy pkgsig.Policy
	// DocumentsDir is documentLocation's path below Root (aim.conf's
	// documents-dir); "" means DefaultDocumentsDir.
	DocumentsDir string
	// AllowUsers (user names or uids) and AllowGroups (group names or
	// gids) may call methods that change the system, besides root and the
	// service's own uid (aim.conf's dbus-allow-users and
	// dbus-allow-groups).
	AllowUsers, AllowGroups []string
	// StallTimeout is how long a package source (http(s) body,
	// socket://) may send nothing before its task fails; 0 means
	// DefaultStallTimeout.
	StallTimeout time.Duration
	// Distribution and InstallKey are what .install files are read
	// against (aim.conf's distribution and install-key).
	Distribution, InstallKey string
	// StopTimeout is how long Close waits for the running task to end
	// once cancelled; 0 means DefaultStopTimeout.
	StopTimeout time.Duration
}

// DefaultStopTimeout is how long Close waits for the running task when
// Config.StopTimeout does not say.
const DefaultStopTimeout = 30 * time.Second

// DefaultAckTimeout is how long an installation waits for an
// acknowledge when aim.conf does not say.
const DefaultAckTimeout = 10 * time.Minute

// DefaultDocumentsDir is documentLocation's path under the root when
// aim.conf's documents-dir does not say.
const DefaultDocumentsDir = rootfs.DocumentsDir

// Server is the package manager service over one root. Its methods are
// safe for concurrent use.
type Server struct {
	cfg    Config
	root   string
	trust  *pkgsig.Trust
	policy pkgsig.Policy
	docs   string // documentLocation path, absolute
	ackTO  time.Duration
	// stallTO bounds a source's silence, stopTO Close's wait.
	stallTO, stopTO time.Duration
	allow           access
	offers          offers // opened .install files
	reader          *db.DB // read-only handle; writers open their own
	ifaces          []*iface

	ctx    context.Context
	stop   context.CancelFunc
	queue  chan *task
	worker sync.WaitGroup

	mu        sync.Mutex
	conn      *dbus.Conn
	tasks     map[string]*task
	installed map[string]*db.InstalledPackage
	ready     bool
	seq       uint64 // tasks made

	closeOnce sync.Once
	closeErr  error
}

// New returns a server for cfg.Root: it reads the package trust keys, finishes or rolls back a transaction a crash interrupted, marks
// tasks a previous run left unfinished as Failed, and loads the
// installed packages. It does not touch the bus until Attach.
func New(cfg Config) (*Server, error) {
	if cfg.Root == "" {
		cfg.Root = "/"
	}
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", cfg.Root, err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, root: root, tasks: map[string]*task{}, queue: make(chan *task, 64)}
	if err := s.loadSettings(); err != nil {
		return nil, err
	}
	if err := s.recover(); err != nil {
		return nil, err
	}
	if s.reader, err = db.Open(root); err != nil {
		return nil, err
	}
	if err := s.reload(); err != nil {
		s.reader.Close()
		return nil, err
	}
	s.ifaces = s.interfaces()
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.worker.Add(1)
	go s.work()
	s.ready = true
	return s, nil
}

// loadSettings applies cfg's settings and reads the trusted keys.
func (s *Server) loadSettings() error {
	var err error
	if s.policy = s.cfg.Policy; s.policy == "" {
		s.policy = pkgsig.RequireStore
	}
	if s.trust, err = pkgsig.LoadTrust(s.root); err != nil {
		return err
	}
	if s.ackTO = s.cfg.AckTimeout; s.ackTO <= 0 {
		s.ackTO = DefaultAckTimeout
	}
	if s.stallTO = s.cfg.StallTimeout; s.stallTO <= 0 {
		s.stallTO = DefaultStallTimeout
	}
	if s.stopTO = s.cfg.StopTimeout; s.stopTO <= 0 {
		s.stopTO = DefaultStopTimeout
	}
	docs := s.cfg.DocumentsDir
	if docs == "" {
		docs = DefaultDocumentsDir
	}
	s.docs = filepath.Join(s.root, docs)
	if err := os.MkdirAll(s.docs, 0o755); err != nil {
		return fmt.Errorf("documents directory: %w", err)
	}
	s.allow, err = parseAccess(s.cfg.AllowUsers, s.cfg.AllowGroups)
	return err
}

// recover opens the root through the engine's door (which recovers an
// interrupted transaction) and marks the tasks that were running when
// the last service stopped as Failed.
func (s *Server) recover() error {
	in, err := s.open(false)
	if err != nil {
		return err
	}
	defer in.Close()
	d := in.DB()
	old, err := d.Tasks(0)
	if err != nil {
		return err
	}
	return d.Update(func(tx *db.Tx) error {
		for _, t := range old {
			if t.State == install.Finished.String() || t.State == install.Failed.String() {
				continue
			}
			t.State, t.Error = install.Failed.String(), "interrupted: the service stopped"
			t.Updated, t.Finished = time.Now(), time.Now()
			if err := tx.PutTask(&t); err != nil {
				return err
			}
		}
		return nil
	})
}

// reload reads the installed packages (aim's and dpkg's) into the model,
// by id: a native package's id is its name, a foreign architecture's
// instance's NAME:ARCH (install.Key).
func (s *Server) reload() error {
	m := map[string]*db.InstalledPackage{}
	dpkg, err := db.ReadDpkgStatus(s.root)
	if err != nil {
		return err
	}
	native := s.architecture()
	for i := range dpkg {
		m[install.Key(dpkg[i].Name, dpkg[i].Architecture, native)] = &dpkg[i]
	}
	pkgs, err := s.reader.InstalledPackages()
	if err != nil {
		return err
	}
	for i := range pkgs {
		m[install.Key(pkgs[i].Name, pkgs[i].Architecture, native)] = &pkgs[i]
	}
	s.mu.Lock()
	s.installed = m
	s.mu.Unlock()
	return nil
}

// Attach serves the service on conn (made with WithHandler(s), see
// Connect): it requests Name and QtName and returns an error when either
// is taken.
func (s *Server) Attach(conn *dbus.Conn) error {
	s.mu.Lock()
	s.conn = conn
	s.mu.Unlock()
	for _, n := range []string{Name, QtName} {
		r, err := conn.RequestName(n, dbus.NameFlagDoNotQueue)
		if err != nil {
			return fmt.Errorf("request name %s: %w", n, err)
		}
		if r != dbus.RequestNameReplyPrimaryOwner && r != dbus.RequestNameReplyAlreadyOwner {
			return fmt.Errorf("request name %s: already owned by another connection", n)
		}
	}
	s.emitBoth("readyChanged", true)
	s.propertiesChanged("ready", true)
	return nil
}

// Connect opens a private connection to bus ("system", "session" or a
// D-Bus address) with s as its handler and attaches s to it.
func Connect(bus string, s *Server) (*dbus.Conn, error) {
	var conn *dbus.Conn
	var err error
	switch bus {
	case "system":
		conn, err = dbus.SystemBusPrivate(dbus.WithHandler(s))
	case "session":
		conn, err = dbus.SessionBusPrivate(dbus.WithHandler(s))
	default:
		conn, err = dbus.Dial(bus, dbus.WithHandler(s))
	}
	if err != nil {
		return nil, fmt.Errorf("connect to the %s bus: %w", bus, err)
	}
	if err := errors.Join(conn.Auth(nil), conn.Hello()); err != nil {
		conn.Close()
		return nil, fmt.Errorf("connect to the %s bus: %w", bus, err)
	}
	if err := s.Attach(conn); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// Close cancels the queued and waiting tasks and the running one, waits
// for the running one to end and closes the database. Reads from package
// sources end when cancelled, so the wait is short; should a task still
// run after the stop timeout (Config.StopTimeout), Close returns an error
// naming it and leaves the database open for it: the process may exit,
// and the next start recovers what the task left. It does not close the
// connection. Closing twice is not an error.
func (s *Server) Close() error {
	s.mu.Lock()
	for _, t := range s.tasks {
		t.Cancel()
	}
	s.mu.Unlock()
	s.stop()
	done := make(chan struct{})
	go func() { s.worker.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.stopTO):
		var running []string
		for _, id := range s.activeTaskIDs() {
			if s.task(id).State() != install.Queued {
				running = append(running, id)
			}
		}
		return fmt.Errorf("close: %w", &StuckError{Tasks: running, After: s.stopTO})
	}
	s.closeOnce.Do(func() { s.closeErr = s.reader.Close() })
	return s.closeErr
}

// StuckError is Close's error when the running task did not end within
// the stop timeout after it was cancelled.
type StuckError struct {
	Tasks []string // the tasks not yet ended
	After time.Duration
}

// Error names the tasks and the time waited.
func (e *StuckError) Error() string {
	return fmt.Sprintf("task %s still running %v after it was cancelled", strings.Join(e.Tasks, ", "), e.After)
}

// names returns the installed package names, sorted.
func (s *Server) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.installed))
	for n := range s.installed {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// lookup returns the installed package id, nil when none.
func (s *Server) lookup(id string) *db.InstalledPackage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.installed[id]
}

// location returns {path, deviceSize, deviceFree} for dir.
func location(dir string) map[string]dbus.Variant {
	out := map[string]dbus.Variant{"path": dbus.MakeVariant(dir)}
	var st unix.Statfs_t
	size, free := int64(-1), int64(-1)
	if unix.Statfs(dir, &st) == nil {
		size, free = int64(st.Blocks)*st.Bsize, int64(st.Bavail)*st.Bsize
	}
	out["deviceSize"], out["deviceFree"] = dbus.MakeVariant(size), dbus.MakeVariant(free)
	return out
}

// architecture is aim.conf's architecture, else the one aim was built for.
func (s *Server) architecture() string {
	if s.cfg.Arch != "" {
		return s.cfg.Arch
	}
	return deb.HostArch()
}
