package objstore

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		in, bucket, prefix, err string
	}{
		{"s3://apt", "apt", "", ""},
		{"s3://apt/", "apt", "", ""},
		{"s3://apt/fleet/debian", "apt", "fleet/debian/", ""},
		{"s3://apt/fleet/debian/", "apt", "fleet/debian/", ""},
		{"s3://my.bucket-1/x", "my.bucket-1", "x/", ""},
		{"http://apt/x", "", "", "want s3://"},
		{"s3://ab/x", "", "", "3 to 63"},
		{"s3://Apt/x", "", "", "lower-case"},
		{"s3://-apt/x", "", "", "lower-case"},
		{"s3://apt/a/../b", "", "", `segment ".."`},
		{"s3://apt/a//b", "", "", `segment ""`},
	} {
		got, err := ParseTarget(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTarget(%q): %v, want an error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got.Bucket != tc.bucket || got.Prefix != tc.prefix {
			t.Errorf("ParseTarget(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"s3://apt/fleet", "s3://a.b-c/x/y/", "s3://", "s3://apt/../x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			return
		}
		back, err := ParseTarget(tg.String())
		if err != nil || back != tg {
			t.Fatalf("%q parses to %+v, whose String %q parses to %+v, %v", s, tg, tg.String(), back, err)
		}
		for _, seg := range strings.Split(strings.TrimSuffix(tg.Prefix, "/"), "/") {
			if seg == ".." || seg == "." {
				t.Fatalf("%q: prefix %q has a %q segment", s, tg.Prefix, seg)
			}
		}
	})
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_DEFAULT_REGION": "eu-west-1",
		"AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9001"}
	c := ConfigFromEnv(func(k string) string { return env[k] })
	if c.AccessKey != "id" || c.SecretKey != "secret" || c.Region != "eu-west-1" || c.Endpoint != "http://127.0.0.1:9001" {
		t.Errorf("ConfigFromEnv: %+v", c)
	}
	for _, tc := range []struct {
		endpoint, host string
		secure         bool
		bad            bool
	}{
		{"", "s3.amazonaws.com", true, false},
		{"http://127.0.0.1:9000", "127.0.0.1:9000", false, false},
		{"https://s3.example.org/", "s3.example.org", true, false},
		{"ftp://x", "", false, true},
		{"http://x/path", "", false, true},
	} {
		host, secure, err := endpointHost(tc.endpoint)
		if (err != nil) != tc.bad || !tc.bad && (host != tc.host || secure != tc.secure) {
			t.Errorf("endpointHost(%q) = %q, %v, %v", tc.endpoint, host, secure, err)
		}
	}
}

func TestHeadersAndPhases(t *testing.T) {
	for _, tc := range []struct {
		key, ctype, cache string
		phase             Phase
	}{
		{"pool/main/h/hello/hello_1.0_all.deb", "application/vnd.debian.binary-package", "public, max-age=31536000, immutable", PhaseContent},
		{"dists/stable/main/binary-amd64/by-hash/SHA256/abc", "application/octet-stream", "public, max-age=31536000, immutable", PhaseContent},
		{"dists/stable/main/binary-amd64/Packages", "text/plain; charset=utf-8", "no-cache", PhaseIndex},
		{"dists/stable/main/binary-amd64/Packages.gz", "application/gzip", "no-cache", PhaseIndex},
		{"dists/stable/main/binary-amd64/Packages.xz", "application/x-xz", "no-cache", PhaseIndex},
		{"dists/stable/Release", "text/plain; charset=utf-8", "no-cache", PhaseRelease},
		{"dists/stable/Release.gpg", "application/pgp-signature", "no-cache", PhaseRelease},
		{"dists/stable/InRelease", "text/plain; charset=utf-8", "no-cache", PhaseInRelease},
		{"Packages.xz", "application/x-xz", "no-cache", PhaseIndex},
		{"InRelease", "text/plain; charset=utf-8", "no-cache", PhaseInRelease},
		{"key.asc", "application/pgp-keys", "no-cache", PhaseContent},
		{"install/hello.install", "application/x-install-instructions", "no-cache", PhaseContent},
	} {
		if got := ContentType(tc.key); got != tc.ctype {
			t.Errorf("ContentType(%s) = %q, want %q", tc.key, got, tc.ctype)
		}
		if got := CacheControl(tc.key); got != tc.cache {
			t.Errorf("CacheControl(%s) = %q, want %q", tc.key, got, tc.cache)
		}
		if got := (LocalFile{Key: tc.key}).Phase(); got != tc.phase {
			t.Errorf("Phase(%s) = %d, want %d", tc.key, got, tc.phase)
		}
	}
}
