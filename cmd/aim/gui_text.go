package main

// This file holds the texts of aim open's windows in English, German
// and French, chosen from the user's locale like the desktop entry's.

import (
	"os"
	"strings"
	"sync"
)

// guiTexts are the texts of one language, by key.
type guiTexts map[string]string

// The keys of guiTexts.
const (
	txTitle        = "title"
	txConfirm      = "confirm"      // Install %s from %s?
	txPackages     = "packages"     // Packages: %s
	txSizes        = "sizes"        // Download: %s, disk space: %s
	txAddRepo      = "addRepo"      // This adds the repository %s.
	txInstall      = "install"      // button
	txCancel       = "cancel"       // button
	txKey          = "key"          // the unknown key question: repository, algorithm and user ID, fingerprint
	txTrust        = "trust"        // button
	txInstalling   = "installing"   // Installing %s…
	txPreparing    = "preparing"    // while the task is queued or stages: Preparing to install %s…
	txFinishing    = "finishing"    // while the task cleans up
	txDone         = "done"         // %s is installed.
	txDoneBody     = "doneBody"     // where to find it
	txAlready      = "already"      // %s is already installed and up to date.
	txFailedTitle  = "failedTitle"  // window title of an error
	txFailed       = "failed"       // %s could not be installed.
	txFailedAny    = "failedAny"    // the same, before the packages are known
	txNotAllowed   = "notAllowed"   // polkit or the allow-list said no
	txAuthNeeded   = "authNeeded"   // no authentication agent
	txNoService    = "noService"    // the daemon cannot be reached
	txNetwork      = "network"      // a server could not be reached
	txNotFound     = "notFound"     // the package is not in its repository
	txDiskSpace    = "diskSpace"    // not enough space
	txCancelled    = "cancelled"    // the user cancelled
	txBadFile      = "badFile"      // the .install file is not usable
	txUntrusted    = "untrusted"    // the repository's signature is not good
	txSeeLog       = "seeLog"       // where the details are
	txNothingAdded = "nothingAdded" // nothing was changed
)

// langTexts returns every language's texts; English is complete and the
// fallback for a key another language lacks.
var langTexts = sync.OnceValue(func() map[string]guiTexts {
	return map[string]guiTexts{
		"en": {
			txTitle: "Application Installer", txConfirm: "Install %s from %s?", txPackages: "Packages: %s",
			txSizes: "Download: %s, disk space: %s", txAddRepo: "This adds the repository “%s”.",
			txInstall: "Install", txCancel: "Cancel", txTrust: "Trust key",
			txKey:        "The repository “%s” is signed by a key that is not trusted yet:\n\n%s\nFingerprint:\n%s\n\nCompare the fingerprint with the one the publisher gives. Trust this key for this repository only?",
			txInstalling: "Installing %s…", txPreparing: "Preparing to install %s…", txFinishing: "Finishing…",
			txDone: "%s is installed.", txDoneBody: "You can start it from the applications menu.",
			txAlready: "%s is already installed and up to date.", txFailedTitle: "Installation failed",
			txFailed: "%s could not be installed.", txFailedAny: "The application could not be installed.",
			txNotAllowed: "You are not allowed to install applications on this computer. Ask its administrator.",
			txAuthNeeded: "Installing applications needs an administrator's password, and no password dialog could be shown. Log in to your desktop again and retry.",
			txNoService:  "The installer service of this computer is not running. Ask its administrator to start it (aim-daemon).",
			txNetwork:    "The server could not be reached. Check your network connection and try again.",
			txNotFound:   "The application was not found in its repository.",
			txDiskSpace:  "There is not enough free disk space.", txCancelled: "The installation was cancelled.",
			txBadFile:   "The installation file is damaged or not meant for this system.",
			txUntrusted: "The repository's signature could not be verified.",
			txSeeLog:    "Details: aim log", txNothingAdded: "Nothing was changed.",
		},
		"de": {
			txTitle: "Anwendungsinstallation", txConfirm: "%s aus %s installieren?", txPackages: "Pakete: %s",
			txSizes: "Download: %s, Speicherplatz: %s", txAddRepo: "Dabei wird die Paketquelle „%s“ hinzugefügt.",
			txInstall: "Installieren", txCancel: "Abbrechen", txTrust: "Schlüssel vertrauen",
			txKey:        "Die Paketquelle „%s“ ist mit einem Schlüssel signiert, dem noch nicht vertraut wird:\n\n%s\nFingerabdruck:\n%s\n\nVergleichen Sie den Fingerabdruck mit dem, den der Anbieter angibt. Diesem Schlüssel nur für diese Paketquelle vertrauen?",
			txInstalling: "%s wird installiert …", txPreparing: "Installation von %s wird vorbereitet …", txFinishing: "Abschluss …",
			txDone: "%s ist installiert.", txDoneBody: "Sie können es aus dem Anwendungsmenü starten.",
			txAlready: "%s ist bereits installiert und aktuell.", txFailedTitle: "Installation fehlgeschlagen",
			txFailed: "%s konnte nicht installiert werden.", txFailedAny: "Die Anwendung konnte nicht installiert werden.",
			txNotAllowed: "Sie dürfen auf diesem Rechner keine Anwendungen installieren. Fragen Sie den Administrator.",
			txAuthNeeded: "Zum Installieren ist das Passwort eines Administrators nötig, aber es konnte kein Passwortdialog angezeigt werden. Melden Sie sich neu an und versuchen Sie es erneut.",
			txNoService:  "Der Installationsdienst dieses Rechners läuft nicht. Bitten Sie den Administrator, ihn zu starten (aim-daemon).",
			txNetwork:    "Der Server ist nicht erreichbar. Prüfen Sie die Netzwerkverbindung und versuchen Sie es erneut.",
			txNotFound:   "Die Anwendung wurde in ihrer Paketquelle nicht gefunden.",
			txDiskSpace:  "Es ist nicht genug Speicherplatz frei.", txCancelled: "Die Installation wurde abgebrochen.",
			txBadFile:   "Die Installationsdatei ist beschädigt oder nicht für dieses System.",
			txUntrusted: "Die Signatur der Paketquelle konnte nicht geprüft werden.",
			txSeeLog:    "Details: aim log", txNothingAdded: "Es wurde nichts verändert.",
		},
		"fr": {
			txTitle: "Installateur d'applications", txConfirm: "Installer %s depuis %s ?", txPackages: "Paquets : %s",
			txSizes: "Téléchargement : %s, espace disque : %s", txAddRepo: "Cela ajoute le dépôt « %s ».",
			txInstall: "Installer", txCancel: "Annuler", txTrust: "Faire confiance",
			txKey:        "Le dépôt « %s » est signé par une clé qui n'est pas encore de confiance :\n\n%s\nEmpreinte :\n%s\n\nComparez l'empreinte avec celle que donne l'éditeur. Faire confiance à cette clé pour ce dépôt seulement ?",
			txInstalling: "Installation de %s…", txPreparing: "Préparation de l'installation de %s…", txFinishing: "Finalisation…",
			txDone: "%s est installé.", txDoneBody: "Vous pouvez le lancer depuis le menu des applications.",
			txAlready: "%s est déjà installé et à jour.", txFailedTitle: "Échec de l'installation",
			txFailed: "%s n'a pas pu être installé.", txFailedAny: "L'application n'a pas pu être installée.",
			txNotAllowed: "Vous n'avez pas le droit d'installer des applications sur cet ordinateur. Demandez à son administrateur.",
			txAuthNeeded: "L'installation demande le mot de passe d'un administrateur, mais aucune fenêtre de mot de passe n'a pu s'afficher. Reconnectez-vous puis réessayez.",
			txNoService:  "Le service d'installation de cet ordinateur n'est pas démarré. Demandez à son administrateur de le démarrer (aim-daemon).",
			txNetwork:    "Le serveur est injoignable. Vérifiez votre connexion réseau et réessayez.",
			txNotFound:   "L'application est introuvable dans son dépôt.",
			txDiskSpace:  "L'espace disque libre est insuffisant.", txCancelled: "L'installation a été annulée.",
			txBadFile:   "Le fichier d'installation est endommagé ou n'est pas prévu pour ce système.",
			txUntrusted: "La signature du dépôt n'a pas pu être vérifiée.",
			txSeeLog:    "Détails : aim log", txNothingAdded: "Rien n'a été modifié.",
		},
	}
})

// textsFor returns the texts for the user's language: the first of
// LANGUAGE's list, LC_ALL, LC_MESSAGES and LANG that aim has texts for;
// English otherwise.
func textsFor(getenv func(string) string) guiTexts {
	var langs []string
	langs = append(langs, strings.Split(getenv("LANGUAGE"), ":")...)
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			langs = append(langs, v)
			break
		}
	}
	for _, l := range langs {
		l, _, _ = strings.Cut(l, "_")
		l, _, _ = strings.Cut(l, ".")
		if t, ok := langTexts()[strings.ToLower(l)]; ok {
			return t
		}
	}
	return langTexts()["en"]
}

// get returns the text of key, English when the language lacks it.
func (t guiTexts) get(key string) string {
	if s, ok := t[key]; ok {
		return s
	}
	return langTexts()["en"][key]
}

// size is humanSize with the language's decimal separator.
func (t guiTexts) size(n int64) string {
	s := humanSize(n)
	if t.get(txTitle) != langTexts()["en"][txTitle] {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// userLanguage is textsFor of the process's environment.
func userLanguage() guiTexts { return textsFor(os.Getenv) }
