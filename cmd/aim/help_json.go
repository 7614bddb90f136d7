package main

import "sync"

// This file says what each command prints with --json. Keys are lower
// camel case; lists are never null; times are RFC 3339. help.go prints
// the text after "With --json:", docs.go as the man page's JSON OUTPUT
// section. TestJSONDocumented checks that every key a command prints is
// named here.

// resultJSONText is what the changing commands print once they have run.
const resultJSONText = `once the transaction has run, an object {installed, upgraded, reinstalled, removed, purged, keptConffiles: lists of package names or paths; reboot, closeApps: booleans}. With -s, the plan instead: {install, upgrade, remove: lists of {package, version, architecture, from (the version an upgrade replaces)}; heldBack: list of {name, installed, candidate, reason ("held", "dpkg" or "needs-removal")}}. A refused plan prints {error, reasons: list of {kind, package, version, relation, target, targetVersion, targetUser, targetInstalled, user, installed, text}} and exits 1.`

// publishJSONText is what repo publish and repo rollback print.
const publishJSONText = `an object {dists: list of {dist, packages, written, removed, outcome}; installFiles: the .install files written; upload (with --to): {uploaded: the keys put, unchanged, checked (how many objects were compared), deleted, waiting: the old objects kept until they age out}}.`

// keyJSONText is one key as the key verbs print it.
const keyJSONText = `{fingerprint, keyId, algorithm, userIds, created, expires, expired, revoked, file, source (the source it is trusted for, if only one)}`

// sourceJSONText is one source as the source verbs print it.
const sourceJSONText = `{name, file, line, format, enabled, types, uris, suites, components, architectures, signedBy, inlineKey, trusted}`

// jsonTexts returns, per command ("install") or verb ("repo add"), what
// it prints with --json.
var jsonTexts = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"install":        resultJSONText,
		"remove":         resultJSONText,
		"purge":          resultJSONText,
		"upgrade":        resultJSONText,
		"autoremove":     resultJSONText,
		"open":           `an object {file: the file's name; repositories: list of {group, name, uri, dist, components, filterDist, keyUri, line, action ("add", "enable" or "present"), source, key}; packages, alreadyInstalled: lists of names; plan: the plan as install -s prints it, or null; simulate: boolean}. When it then installs, the result follows as a second JSON document, as install prints it.`,
		"update":         `an object {sources: list of {source, ok, unchanged, indexes (the number of index files), error}}.`,
		"search":         `a list of {name, version, architecture, summary, source, installed (the installed version), upgradable, user, category, categoryName}.`,
		"list":           `a list of {name, version, architecture, summary, source, installed (the installed version), auto, manager ("aim" or "dpkg"), state (when not fully installed: config-files, half-configured, ...), upgradable, user, category, categoryName}.`,
		"show":           `a list of paragraphs, one per package: objects whose keys are the control fields by their Debian names (Package, Version, Depends, ...).`,
		"policy":         `a list of {package, installed, state, candidate, versions: list of {version, architecture, installed, priority, sources: list of {name, priority, where}}}.`,
		"files":          `an object {package, architecture, owner ("aim" or "dpkg"), files: list of paths}.`,
		"owns":           `a list of {path, packages: the packages that own it}.`,
		"verify":         `a list of {package, path, problem, detail}; [] when every file is as installed.`,
		"log":            `a list of {task, operation, at, ok, text}, oldest first.`,
		"tasks":          `a list of {id, kind, package, state, progress, error, created, updated, finished}; finished is left out while a task runs.`,
		"configure":      `an object {configured, triggered: the packages configured and triggered; pending: those still pending}.`,
		"source add":     "an object {added: list of " + sourceJSONText + "}.",
		"source enable":  `an object {enabled: list of {name, file, line, changed}}.`,
		"source disable": `an object {disabled: list of {name, file, line, changed}}.`,
		"source remove":  `an object {removed: list of {name, file, line, changed}}.`,
		"source list":    `an object {sources: list of {name, file, line, format, enabled, types, uris, suites, components, architectures, signedBy, inlineKey, trusted}; errors: list of {file, line, name, message}}.`,
		"key add":        "an object {added: list of " + keyJSONText + "}.",
		"key list":       "an object {keys: list of " + keyJSONText + "}.",
		"key remove":     `an object {removed: the fingerprint; files: list of {file, deleted}}.`,
		"key show":       "an object {keys: list of " + keyJSONText + ", each with subkeys" + ` (list of {fingerprint, algorithm, created, expires, sign, revoked}) and certifications (list of {userId, issuer, created, revocation})}.`,
		"key generate":   "an object {generated: " + keyJSONText + "; " + `secretKey: the secret key's file; protected: whether a passphrase protects it}.`,
		"key certify":    `an object {certified: list of fingerprints; ca: the CA key's fingerprint; file}.`,
		"deb build":      `an object {package, version, architecture, file, size}.`,
		"deb info":       `an object {format, size, controlSize, members: list of {name, size, lines, executable, interpreter, plain}, control: the control fields by their Debian names}; with FIELD arguments, an object of those fields.`,
		"deb contents":   `a list of {path, type, mode, uid, gid, user, group, size, mtime, link}.`,
		"deb extract":    `a list of the files written: {path, type, mode, size, sha256, link}.`,
		"deb sign":       `a list of {file, role, member, signer}.`,
		"deb verify":     `an object {packages: list of {file, valid, signatures: list of {role, member, signer, certifiedBy, created, valid, error}}}.`,
		"repo add":       `a list of {file, package, version, architecture, filename, unchanged, findings: list of {severity, path, message}, error}.`,
		"repo list":      `a list of {dist, component, package, version, architecture, section, filename, size, sha256}.`,
		"repo check":     `a list of {problem (true for an error, false for a note), path, message}.`,
		"repo publish":   publishJSONText,
		"repo rollback":  publishJSONText,
		"repo snapshot":  `create: an object {name, created, packages (how many)}; list: a list of such objects; diff: a list of {dist, package, architecture, old, new} (old or new left out for a package only one set holds).`,
		"repo mirror":    `update: an object {selected (how many packages the filter and dependencies chose), packages: list of {name, version, architecture}, downloaded (how many files were fetched), added, removed: lists of {name, version, architecture}}.`,
		"version sort":   `a list of the versions, sorted.`,
	}
})
