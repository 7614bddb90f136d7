package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"aim/repo/pkgsig"
)

// post uploads body with the token and content type, returning the
// status and the decoded answer.
func post(t *testing.T, url, token, ctype string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/api/v1/upload", bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("upload answer: %v\n%s", err, data)
	}
	return resp.StatusCode, v
}

// treeSum hashes every file below dir but the lock, for "nothing
// changed" checks.
func treeSum(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "lock" {
			return nil
		}
		data, _ := os.ReadFile(p)
		sum := sha256.Sum256(data)
		lines = append(lines, p+" "+hex.EncodeToString(sum[:]))
		return nil
	})
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func debBytes(t *testing.T, spec pkgSpec) []byte {
	data, err := os.ReadFile(buildDeb(t, t.TempDir(), spec))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const debType = "application/vnd.debian.binary-package"

func TestUploadRefusals(t *testing.T) {
	_, ts, dir := testServer(t, func(c *Config) { c.MaxUpload = 4096 })
	good := debBytes(t, pkgSpec{"newapp", "1.0", "all", "user/games", nil})
	before := treeSum(t, dir)
	for _, tc := range []struct {
		name, token string
		body        []byte
		status      int
		msg         string
	}{
		{"no token", "", good, 401, "token"},
		{"wrong token", "nope", good, 401, "token"},
		{"empty", testToken, nil, 400, "empty"},
		{"garbage", testToken, []byte("!<arch>\nnot really"), 422, "not a package"},
		{"too large", testToken, bytes.Repeat([]byte("x"), 5000), 413, "larger"},
		{"bad tags", testToken, debBytes(t, pkgSpec{"tagged", "1.0", "all", "user/games", [][2]string{{"Aim-Tags", "qt:5..1"}}}), 422, "Aim-Tags"},
		{"other bytes", testToken, debBytes(t, pkgSpec{"game", "2.0", "amd64", "user/games", [][2]string{{"Homepage", "x"}}}), 422, "refused"},
	} {
		status, v := post(t, ts.URL, tc.token, debType, tc.body)
		if status != tc.status || !strings.Contains(fmt.Sprint(v["error"]), tc.msg) {
			t.Errorf("%s: %d %v, want %d mentioning %q", tc.name, status, v, tc.status, tc.msg)
		}
	}
	if after := treeSum(t, dir); after != before {
		t.Errorf("a refused upload changed the repository:\n%s\n---\n%s", before, after)
	}
	if entries, _ := filepath.Glob(filepath.Join(os.TempDir(), "aim-upload-*")); len(entries) > 0 {
		t.Logf("temporary files (maybe of other tests): %v", entries)
	}

	_, off, _ := testServer(t, func(c *Config) { c.UploadToken = "" })
	if status, _ := post(t, off.URL, testToken, debType, good); status != 403 {
		t.Errorf("uploads disabled: %d", status)
	}
	_, strict, _ := testServer(t, func(c *Config) { c.Require = pkgsig.Developer; c.Trust = pkgsig.NewTrust(nil) })
	if status, v := post(t, strict.URL, testToken, debType, good); status != 422 || !strings.Contains(fmt.Sprint(v["error"]), "signature") {
		t.Errorf("unsigned upload where a signature is required: %d %v", status, v)
	}
}

func TestUploadPublishes(t *testing.T) {
	_, ts, dir := testServer(t)
	rel := func() string { b, _ := os.ReadFile(filepath.Join(dir, "dists/stable/InRelease")); return string(b) }
	old := rel()
	status, v := post(t, ts.URL, testToken, debType, debBytes(t, pkgSpec{"newapp", "1.0", "all", "user/games", nil}))
	if status != 201 || v["package"] != "newapp" || v["unchanged"] != false {
		t.Fatalf("upload: %d %v", status, v)
	}
	if rel() == old {
		t.Error("InRelease not republished")
	}
	var got struct{ Apps []App }
	getJSON(t, ts.URL+"/api/v1/apps?category=games&architecture=amd64", 200, &got)
	if ids := appIDs(got.Apps); !slices.Equal(ids, []string{"game=2.0/amd64", "newapp=1.0/all"}) {
		t.Errorf("apps after upload: %v", ids)
	}
	// The same bytes again, as a form: no change.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("comment", "x")
	fw, _ := mw.CreateFormFile("package", "newapp_1.0_all.deb")
	fw.Write(debBytes(t, pkgSpec{"newapp", "1.0", "all", "user/games", nil}))
	mw.Close()
	if status, v := post(t, ts.URL, testToken, mw.FormDataContentType(), form.Bytes()); status != 200 || v["unchanged"] != true {
		t.Errorf("same upload as a form: %d %v", status, v)
	}

	// Concurrent uploads are serialised; every one lands.
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		body := debBytes(t, pkgSpec{fmt.Sprintf("par%d", i), "1.0", "all", "user/tools", nil})
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = post(t, ts.URL, testToken, debType, body)
		}()
	}
	wg.Wait()
	getJSON(t, ts.URL+"/api/v1/apps?category=tools", 200, &got)
	if ids := appIDs(got.Apps); len(ids) != 6 || slices.ContainsFunc(statuses, func(s int) bool { return s != 201 }) {
		t.Errorf("concurrent uploads: %v, apps %v", statuses, ids)
	}
}
