package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTextsFor(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string // the title
	}{
		{map[string]string{}, "Application Installer"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "Anwendungsinstallation"},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, "Installateur d'applications"},
		{map[string]string{"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "de_AT.UTF-8"}, "Anwendungsinstallation"},
		{map[string]string{"LANG": "de_DE.UTF-8", "LC_ALL": "C"}, "Application Installer"},
		{map[string]string{"LANGUAGE": "fr:de", "LANG": "C.UTF-8"}, "Installateur d'applications"},
		{map[string]string{"LANGUAGE": "nl:de", "LANG": "C.UTF-8"}, "Anwendungsinstallation"},
		{map[string]string{"LANG": "es_ES.UTF-8"}, "Application Installer"},
	} {
		got := textsFor(func(k string) string { return tc.env[k] }).get(txTitle)
		if got != tc.want {
			t.Errorf("%v: title %q, want %q", tc.env, got, tc.want)
		}
	}
}

// TestTextsComplete checks that every language has every text, with the
// same verbs as the English one.
func TestTextsComplete(t *testing.T) {
	for lang, tx := range langTexts() {
		for key, en := range langTexts()["en"] {
			s, ok := tx[key]
			if !ok {
				t.Errorf("%s lacks %s", lang, key)
				continue
			}
			if strings.Count(s, "%s") != strings.Count(en, "%s") {
				t.Errorf("%s %s: %q takes other arguments than %q", lang, key, s, en)
			}
		}
	}
	if got := langTexts()["de"].size(2200); got != "2,2 kB" {
		t.Errorf("German size: %q", got)
	}
}

func TestUserWords(t *testing.T) {
	en := langTexts()["en"]
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&refusedError{msg: "not allowed", authNeeded: true}, en[txAuthNeeded]},
		{fmt.Errorf("open: %w", &refusedError{msg: "not allowed"}), en[txNotAllowed]},
		{&noDaemonError{msg: "x"}, en[txNoService]},
		{&taskFailedError{Code: codeCancelledTask}, en[txCancelled]},
		{&taskFailedError{Code: codeStorageSpaceTask, Msg: "no space"}, en[txDiskSpace]},
		{errors.New("open: repository x (http://h) could not be used: dial tcp 127.0.0.1:1: connect: connection refused"), en[txNetwork]},
		{errors.New("open: hello not found in the repositories (checked: x)"), en[txNotFound]},
		{errors.New("something else entirely"), en[txSeeLog]},
	} {
		got := userWords(en, tc.err)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
		if strings.Contains(got, ": ") && tc.want != en[txSeeLog] && strings.Contains(got, tc.err.Error()) {
			t.Errorf("%v: the error chain is shown: %q", tc.err, got)
		}
	}
}

// TestFindDialogs picks the dialog program by what is installed: zenity,
// kdialog where zenity is missing or on KDE, none without either.
func TestFindDialogs(t *testing.T) {
	for _, tc := range []struct {
		installed []string
		desktop   string
		want      string
	}{
		{[]string{"zenity", "kdialog"}, "GNOME", "zenity"},
		{[]string{"zenity", "kdialog"}, "KDE", "kdialog"},
		{[]string{"zenity"}, "KDE", "zenity"},
		{[]string{"kdialog"}, "XFCE", "kdialog"},
		{nil, "GNOME", ""},
	} {
		dir := t.TempDir()
		for _, p := range tc.installed {
			os.WriteFile(filepath.Join(dir, p), []byte("#!/bin/sh\n"), 0o755)
		}
		t.Setenv("PATH", dir)
		got := ""
		switch d := findDialogs(func(k string) string { return map[string]string{"XDG_CURRENT_DESKTOP": tc.desktop}[k] }).(type) {
		case *zenityProgram:
			got = "zenity"
		case *kdialogProgram:
			got = "kdialog"
		case nil:
		default:
			t.Fatalf("%T", d)
		}
		if got != tc.want {
			t.Errorf("%v on %s: %q, want %q", tc.installed, tc.desktop, got, tc.want)
		}
	}
}
