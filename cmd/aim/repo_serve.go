package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"aim/repo/server"
)

// aim repo serve DIR --listen ADDR [--base-url URL] [--upload-token-file F]
//                    [--sign-key KEY] [--passphrase-file F] [--valid-for 7d]
//                    [--max-upload-mb N] [--min-rate BYTES --slow-window D]
//                    [--max-client-conns N]
//
// Serves a repository's published tree, the app feed, .install files,
// uploads and the Downloads page (package repo/server) until SIGINT or
// SIGTERM; the access log goes to stderr. A client that reads a response
// slower than --min-rate for --slow-window is dropped, and one address
// holds at most --max-client-conns connections (server.ConnLimits).

// shutdownGrace is how long requests in flight may take after a signal.
const shutdownGrace = 10 * time.Second

func setupRepoServe(fs *pflag.FlagSet) func(*env, []string) error {
	f := newRepoFlags(fs)
	listen := sharedString(fs, "listen", "", "serve: the `ADDR`ESS to listen on, e.g. 127.0.0.1:8080 or :80")
	tokenFile := sharedString(fs, "upload-token-file", "", "serve: enable uploads with the bearer token in `FILE`")
	signKey := sharedString(fs, "sign-key", "", "serve: the secret key `FILE` that signs what uploads publish")
	if fs.Lookup("max-upload-mb") == nil {
		fs.Int64("max-upload-mb", server.DefaultMaxUpload>>20, "serve: the largest upload, in MiB")
		fs.Int64("min-rate", server.DefaultConnLimits.MinRate, "serve: drop a client that reads slower than `BYTES` a second for --slow-window")
		fs.Duration("slow-window", server.DefaultConnLimits.RateWindow, "serve: how long a client may read slower than --min-rate")
		fs.Int("max-client-conns", server.DefaultConnLimits.MaxPerHost, "serve: the most connections one client address may hold")
	}
	return func(e *env, args []string) error {
		const usage = "aim repo serve DIR --listen ADDR [--base-url URL] [--upload-token-file F --sign-key KEY [--passphrase-file F]]"
		if len(args) != 1 || listen() == "" {
			return usageError("usage: %s", usage)
		}
		cfg, err := serveConfig(args[0], f, tokenFile(), signKey())
		if err != nil {
			return err
		}
		cfg.MaxUpload, _ = fs.GetInt64("max-upload-mb")
		cfg.MaxUpload <<= 20
		cfg.Log = e.stderr
		var limits server.ConnLimits
		limits.MinRate, _ = fs.GetInt64("min-rate")
		limits.RateWindow, _ = fs.GetDuration("slow-window")
		limits.MaxPerHost, _ = fs.GetInt("max-client-conns")
		if limits.MinRate <= 0 || limits.RateWindow <= 0 || limits.MaxPerHost <= 0 {
			return usageError("--min-rate, --slow-window and --max-client-conns must be positive")
		}
		ln, err := net.Listen("tcp", listen())
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		ln = server.NewListener(ln, limits)
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if !e.g.quiet {
			fmt.Fprintf(e.stderr, "aim: serving %s at http://%s/\n", args[0], ln.Addr())
		}
		return serveRepo(ctx, cfg, ln)
	}
}

// serveConfig builds the server's settings from the flags: uploads need
// both a token file and a signing key.
func serveConfig(dir string, f repoFlags, tokenFile, signKey string) (server.Config, error) {
	cfg := server.Config{Dir: dir, BaseURL: f.str("base-url")}
	if (tokenFile == "") != (signKey == "") {
		return cfg, usageError("--upload-token-file and --sign-key go together: uploads are published")
	}
	if tokenFile != "" {
		data, err := os.ReadFile(tokenFile)
		if err != nil {
			return cfg, fmt.Errorf("upload token: %w", err)
		}
		cfg.UploadToken = strings.TrimSpace(string(data))
		if len(cfg.UploadToken) < 16 || strings.ContainsAny(cfg.UploadToken, " \t\r\n") {
			return cfg, fmt.Errorf("upload token %s: want one line of at least 16 characters", tokenFile)
		}
		s, err := loadSigner(signKey, f.str("passphrase-file"))
		if err != nil {
			return cfg, err
		}
		cfg.Signer = s
	}
	if v := f.str("valid-for"); v != "" {
		d, err := parseValidity(v)
		if err != nil {
			return cfg, err
		}
		cfg.ValidFor = d
	}
	for _, p := range []string{tokenFile, signKey, f.str("passphrase-file")} {
		if p != "" {
			abs, _ := filepath.Abs(p)
			cfg.Private = append(cfg.Private, abs)
		}
	}
	return cfg, nil
}

// serveRepo serves cfg on ln until ctx is done, then shuts down
// gracefully, letting requests in flight finish for shutdownGrace.
func serveRepo(ctx context.Context, cfg server.Config, ln net.Listener) error {
	s, err := server.New(cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer s.Close()
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
