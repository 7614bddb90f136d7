# aim — build, test, benchmark and demo targets.
# `make demo` and `make test` install what they need on a fresh Debian machine.

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go
BIN := bin/aim
FUZZTIME ?= 15s
# Debian tools the tests and the demo use: dpkg-deb (dpkg), dpkg-dev, compressors, gpg;
# dose-debcheck (dose-distcheck) for the resolver's installability agreement test;
# polkitd (pkcheck) for the daemon's authorization test.
DEBS := dpkg dpkg-dev debootstrap xz-utils zstd bzip2 gzip gnupg gpgv apt-utils debsig-verify python3-solv busybox-static dose-distcheck \
	xdg-utils shared-mime-info desktop-file-utils libfile-mimeinfo-perl dbus chromium chromium-driver \
	polkitd
TOOLS := dpkg dpkg-deb dpkg-architecture debootstrap xz zstd bzip2 gzip gpg gpgv apt-ftparchive debsig-verify busybox dose-debcheck \
	xdg-mime update-mime-database update-desktop-database mimetype dbus-daemon dbus-send chromium chromedriver \
	pkcheck
# What the graphical test of aim open uses (an X server, the dialog program,
# xdotool to answer, OCR to read the screenshots); installed when missing,
# and the test skips where they cannot be.
GUI_DEBS := xvfb zenity xdotool tesseract-ocr tesseract-ocr-eng imagemagick libnotify-bin fonts-dejavu-core make
GUI_TOOLS := Xvfb zenity xdotool tesseract convert import notify-send
# staticcheck, pinned; `make lint` installs it with `go install` when missing
# (Debian's package is too old for this Go).
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(or $(shell $(GO) env GOBIN),$(firstword $(subst :, ,$(shell $(GO) env GOPATH)))/bin)/staticcheck
# What only the benchmarks compare against, and GNU time, which measures them.
BENCH_DEBS := aptly reprepro curl time
BENCH_TOOLS := aptly reprepro curl /usr/bin/time
# BENCH_ROWS: one script a row of issue 18, each timing aim beside its peer;
# then plans beside libsolv with a foreign architecture, installability
# beside dose-debcheck (issue 14) and publishing to object storage beside
# aptly (issue 19).
BENCH_ROWS := startup show search update update-http resolver deb publish multiarch dose objstore

.PHONY: all go-deps build test bench bench-engine bench-crash fuzz lint demo deps apt-install clean install-desktop install uninstall

all: build

# apt_install installs Debian packages $(1), waiting up to 5 minutes for
# another apt or dpkg to release its lock, and retrying a failed update once.
define apt_install
	sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	apt="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq"; \
	{ $$apt update || { sleep 10; $$apt update; }; } && $$apt install -y --no-install-recommends $(1) >/dev/null
endef

# go-deps checks for Go and downloads the Go modules: all that building
# aim and the demo need.
go-deps:
	@command -v $(GO) >/dev/null || { echo "Go is not installed (see https://go.dev/doc/install)"; exit 1; }
	@$(GO) mod download

# deps installs the Debian packages the tests use when one of their tools
# is missing, and downloads the Go modules.
deps: go-deps
	@missing=""; for t in $(TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages (missing:$$missing)"; \
	  $(call apt_install,$(DEBS)); \
	fi
	@missing=""; for t in $(GUI_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing the graphical test's Debian packages (missing:$$missing)"; \
	  $(call apt_install,$(GUI_DEBS)) || echo "warning: $(GUI_DEBS) could not be installed; the graphical test will be skipped"; \
	fi
	@/usr/bin/python3 -c 'import solv' 2>/dev/null || { $(call apt_install,python3-solv) || \
	  echo "warning: python3-solv could not be installed; the libsolv comparisons will be skipped"; }

# aim is built without cgo: no dynamic loader, no libc start-up and no
# malloc arena for each runtime thread, about a quarter less CPU for a
# short command such as a tiny deb build (os/user and net use their pure
# Go implementations, which read /etc/passwd, /etc/group and
# /etc/resolv.conf themselves).
build: go-deps
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/aim

test: deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...
	@bash testdata/make/lockwait.sh

# apt-install installs the Debian packages PKGS as deps does (waiting for
# another apt's lock); testdata/make/lockwait.sh tests that wait.
apt-install:
	@$(call apt_install,$(PKGS))

bench: deps
	@missing=""; for t in $(BENCH_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  $(call apt_install,$(BENCH_DEBS)); \
	fi
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./... | tee bench/last-go.txt
	@for s in $(BENCH_ROWS); do echo "== bench/$$s.sh"; bash bench/$$s.sh | tee bench/last-$$s.txt || exit 1; done
	@bash -c '. bench/settle.sh && settle_empty'

# bench-engine installs 200 small packages with aim and with dpkg (needs root);
# bench-crash kills aim -9 at random points of transactions (TRIALS=N, default 100).
bench-engine: build
	bash bench/engine.sh | tee bench/last-engine.txt

bench-crash: build
	bash bench/crash.sh | tee bench/last-crash.txt

# fuzz runs every fuzz target for FUZZTIME each.
fuzz: deps
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@if ! [ -x "$(STATICCHECK)" ] || ! "$(STATICCHECK)" -version | grep -qF '($(STATICCHECK_VERSION:v%=%))'; then \
	  echo "installing staticcheck $(STATICCHECK_VERSION)"; \
	  $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); \
	fi
	$(STATICCHECK) ./...

demo: build
	@bash testdata/demo/run.sh $(BIN)

# install-desktop registers aim as the handler of .install files (see contrib/README.md).
install-desktop:
	$(MAKE) -C contrib install-desktop

# install puts aim, its man pages, bash and zsh completion, the desktop files
# and the D-Bus service files under $(DESTDIR)$(PREFIX), default /usr/local
# (see contrib/README.md).
install: build
	$(MAKE) -C contrib install AIM=$(CURDIR)/$(BIN)

uninstall:
	$(MAKE) -C contrib uninstall

clean:
	rm -rf bin demo-out
	$(MAKE) -C contrib clean
