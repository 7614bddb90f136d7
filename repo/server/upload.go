package server

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"

	"aim/deb"
	"aim/repo/pkgsig"
	"aim/repo/publish"
)

// UploadResult is the answer of a successful upload.
type UploadResult struct {
	Package      string   `json:"package"`
	Version      string   `json:"version"`
	Architecture string   `json:"architecture"`
	Filename     string   `json:"filename"`
	Dist         string   `json:"dist"`
	Unchanged    bool     `json:"unchanged"`
	Findings     []string `json:"findings"`
	// Published says what the publish did for each dist.
	Published []publish.Result `json:"published"`
}

// uploadError is a refused upload: its HTTP status and why.
type uploadError struct {
	status   int
	msg      string
	findings []string
}

func (e *uploadError) Error() string { return e.msg }

func refuse(status int, format string, args ...any) *uploadError {
	return &uploadError{status: status, msg: fmt.Sprintf(format, args...)}
}

// upload answers POST /api/v1/upload: the body is one .deb, raw or as the
// file of a multipart form. The upload is refused without a valid bearer
// token, above MaxUpload bytes, when the package is unreadable, its tags
// malformed, its signature missing where Require demands one, or when Add
// refuses it; a refused upload changes nothing. Otherwise the package is
// store-signed (with StoreSigner), added to ?dist= (the first dist) and
// ?component=, and the repository published. Uploads are serialised, and
// the repository's lock is held while one runs.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if s.cfg.UploadToken == "" || s.cfg.Signer == nil {
		writeError(w, http.StatusForbidden, "uploads are not enabled on this server")
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="aim upload"`)
		writeError(w, http.StatusUnauthorized, "missing or invalid upload token")
		return
	}
	res, err := s.receive(w, r)
	if err != nil {
		var ue *uploadError
		if !errors.As(err, &ue) {
			ue = &uploadError{status: http.StatusInternalServerError, msg: err.Error()}
		}
		writeJSON(w, ue.status, errorBody{Error: ue.msg, Findings: ue.findings})
		return
	}
	status := http.StatusCreated
	if res.Unchanged {
		status = http.StatusOK
	}
	writeJSON(w, status, res)
}

// authorized checks the bearer token in constant time.
func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.cfg.UploadToken)) == 1
}

// receive spools the body to a temporary file, removed on return, and
// adds and publishes it.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) (*UploadResult, error) {
	if r.ContentLength > s.cfg.MaxUpload {
		return nil, refuse(http.StatusRequestEntityTooLarge, "upload larger than %d bytes", s.cfg.MaxUpload)
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+1<<20)
	in, err := uploadedFile(r, body)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp("", "aim-upload-*.deb")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(in, s.cfg.MaxUpload+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || n > s.cfg.MaxUpload:
		return nil, refuse(http.StatusRequestEntityTooLarge, "upload larger than %d bytes", s.cfg.MaxUpload)
	case err != nil:
		return nil, refuse(http.StatusBadRequest, "read upload: %v", err)
	case n == 0:
		return nil, refuse(http.StatusBadRequest, "empty upload")
	}
	if err := s.vet(tmp.Name()); err != nil {
		return nil, err
	}
	s.uploadMu.Lock()
	defer s.uploadMu.Unlock()
	return s.addAndPublish(tmp.Name(), r.URL.Query().Get("dist"), r.URL.Query().Get("component"))
}

// uploadedFile returns the reader of the package in body: the body
// itself, or the first file part of a multipart form.
func uploadedFile(r *http.Request, body io.Reader) (io.Reader, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return body, nil
	}
	mr, err := multipartReader(body, params["boundary"])
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "read form: %v", err)
	}
	return mr, nil
}

// vet checks what Add does not: the package's tags and, when Require is
// set, its signature; then it store-signs the file when configured.
func (s *Server) vet(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	ar, err := deb.NewArchiveReader(f)
	if err != nil {
		f.Close()
		return refuse(http.StatusUnprocessableEntity, "not a package: %v", err)
	}
	ctl := ar.Control()
	f.Close()
	if ctl == nil || ctl.Control == nil {
		return refuse(http.StatusUnprocessableEntity, "not a package: no control data")
	}
	for _, field := range []string{TagsField, ConflictTagsField} {
		if _, err := ParseTags(ctl.Control.Get(field)); err != nil {
			return refuse(http.StatusUnprocessableEntity, "%s: %v", field, err)
		}
	}
	now := s.cfg.Now()
	if s.cfg.Require != "" {
		res, err := pkgsig.VerifyFile(file, s.cfg.Trust, now)
		if err != nil {
			return refuse(http.StatusUnprocessableEntity, "verify signature: %v", err)
		}
		if !res.Valid(s.cfg.Require) && !res.Valid(pkgsig.Store) {
			return refuse(http.StatusUnprocessableEntity, "package has no valid %s signature", s.cfg.Require)
		}
	}
	if s.cfg.StoreSigner != nil {
		if err := pkgsig.SignFile(file, s.cfg.StoreSigner, pkgsig.Store, nil, now); err != nil {
			return fmt.Errorf("store-sign upload: %w", err)
		}
	}
	return nil
}

// addAndPublish adds file to the repository and publishes it. When the
// publish fails, a newly added package is removed again, so the package
// database stays what was published.
func (s *Server) addAndPublish(file, dist, component string) (*UploadResult, error) {
	lr, err := publish.Open(s.cfg.Dir)
	if err != nil {
		return nil, refuse(http.StatusServiceUnavailable, "repository busy: %v", err)
	}
	defer lr.Close()
	results, err := lr.Add([]string{file}, publish.AddOptions{Dist: dist, Component: component})
	var addErr *publish.AddError
	if errors.As(err, &addErr) && len(results) == 1 {
		ue := refuse(http.StatusUnprocessableEntity, "refused: %v", results[0].Err)
		ue.findings = findingStrings(results[0].Findings)
		return nil, ue
	}
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "add: %v", err)
	}
	a := results[0]
	res := &UploadResult{Package: a.Package.Name, Version: a.Package.Version, Architecture: a.Package.Architecture,
		Filename: a.Package.Filename, Dist: a.Package.Dist, Unchanged: a.Unchanged, Findings: findingStrings(a.Findings)}
	pub, err := lr.Publish(publish.Options{Signer: s.cfg.Signer, Now: s.cfg.Now(), ValidFor: s.cfg.ValidFor})
	if err != nil {
		if !a.Unchanged {
			lr.Remove(a.Package.Dist, []string{a.Package.Name + "=" + a.Package.Version})
		}
		return nil, fmt.Errorf("publish: %w", err)
	}
	res.Published = pub
	if err := s.Reload(true); err != nil {
		s.logf("aim: reload %s after upload: %v\n", s.cfg.Dir, err)
	}
	return res, nil
}

func findingStrings(fs []publish.LintFinding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

// multipartReader returns the first file part of a multipart body.
func multipartReader(body io.Reader, boundary string) (io.Reader, error) {
	if boundary == "" {
		return nil, errors.New("no boundary")
	}
	mr := multipart.NewReader(body, boundary)
	for i := 0; i < 16; i++ {
		p, err := mr.NextPart()
		if err != nil {
			return nil, fmt.Errorf("no file part: %w", err)
		}
		if p.FileName() != "" {
			return p, nil
		}
	}
	return nil, errors.New("no file part among the first 16")
}
