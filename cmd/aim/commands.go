package main

import "sync"

// commandTable is every command by name and the verbs of every command
// group by command name.
type commandTable struct {
	commands map[string]*command
	verbs    map[string]map[string]*subcommand
}

var (
	tableOnce sync.Once
	tableVal  *commandTable
)

// table returns the command table, built on first use by buildTable.
func table() *commandTable {
	tableOnce.Do(func() { tableVal = buildTable() })
	return tableVal
}

// buildTable builds the command table, here in one function rather than
// from an init function in each command's file: every aim process paid
// for those at start-up, each in another part of the binary (issue 18).
func buildTable() *commandTable {
	t := &commandTable{commands: map[string]*command{}, verbs: map[string]map[string]*subcommand{}}
	for _, c := range []*command{
		{name: "autoremove", summary: "remove automatic packages nothing needs (-s: show the plan)", setup: setupAutoremove},
		{name: "clean", summary: "delete the downloaded package archives", setup: setupClean},
		{name: "__complete", summary: "print names for shell completion", setup: setupComplete},
		{name: "configure", summary: "finish configuration an interruption left pending (--pending)", setup: setupConfigure},
		{name: "daemon", summary: "run the package manager service on D-Bus", setup: setupDaemon},
		{name: docsCommand, summary: "write man pages or shell completion (for packagers)", setup: setupDocs},
		{name: "files", summary: "list the files an installed package owns", setup: setupFiles},
		{name: "install", summary: "install packages with their dependencies (-s: show the plan)", setup: setupInstall},
		{name: "list", summary: "list packages (--all, --installed, --upgradable, --user)", setup: setupList},
		{name: "log", summary: "show the transcripts of recent operations", setup: setupLog},
		{name: "mark", summary: "mark packages auto, manual, hold or unhold", setup: setupMark},
		{name: "open", summary: "single-click install: add the repositories of a .install file and install its packages", setup: setupOpen},
		{name: "owns", summary: "name the installed package that owns a path", setup: setupOwns},
		{name: "policy", summary: "show a package's installed version, candidate and every version with its source", setup: setupPolicy},
		{name: "remove", summary: "remove packages and what only they needed (-s: show the plan)", setup: setupRemove},
		{name: "purge", summary: "remove packages with their configuration files", setup: setupPurge},
		{name: "search", summary: "find packages whose name or description has every word of TERM", setup: setupSearch},
		{name: "show", summary: "show every field of a package (PKG, PKG:ARCH, PKG=VERSION)", setup: setupShow},
		{name: "tasks", summary: "list recent tasks with their state and result", setup: setupTasks},
		{name: "update", summary: "fetch and verify the package lists of every source", setup: setupUpdate},
		{name: "upgrade", summary: "upgrade installed packages, never removing any (-s: show the plan)", setup: setupUpgrade},
		{name: "verify", summary: "report installed files changed or missing (exit 1 when any)", setup: setupVerify},
	} {
		t.commands[c.name] = c
	}
	t.group("deb", "build and inspect .deb files", map[string]*subcommand{
		"build":    {summary: "build a package from a directory tree", setup: setupDebBuild},
		"info":     {summary: "show a package's control information", setup: setupDebInfo},
		"contents": {summary: "list a package's files", setup: setupDebContents},
		"extract":  {summary: "extract a package's files into a directory", setup: setupDebExtract},
		"sign":     {summary: "sign packages in place for the developer or store role", setup: setupDebSign},
		"verify":   {summary: "check package signatures (developer and store roles)", setup: setupDebVerify},
	})
	t.group("key", "manage trusted keys", map[string]*subcommand{
		"add":      {summary: "trust an OpenPGP public key (FILE or http(s) URL) for every source, or one (--source)", setup: setupKeyAdd},
		"list":     {summary: "list the trusted keys", setup: setupKeyList},
		"remove":   {summary: "stop trusting a key, by fingerprint or key ID", setup: setupKeyRemove},
		"certify":  {summary: "certify a signing key with a CA key (for package roles)", setup: setupKeyCertify},
		"export":   {summary: "print the public half of a key file (armored, or --binary)", setup: setupKeyExport},
		"generate": {summary: "make a new signing key pair (maintainers)", setup: setupKeyGenerate},
		"show":     {summary: "describe the keys of a key file", setup: setupKeyShow},
	})
	t.group("repo", "build and publish a repository (maintainers)", map[string]*subcommand{
		"init":     {summary: "create a repository directory, or add dists, components or architectures to one", setup: setupRepoInit},
		"add":      {summary: "copy packages into a repository's pool and database", setup: setupRepoAdd},
		"remove":   {summary: "remove packages from a repository's dist", setup: setupRepoRemove},
		"list":     {summary: "list a repository's packages", setup: setupRepoList},
		"check":    {summary: "check that a repository's pool and published indexes agree", setup: setupRepoCheck},
		"publish":  {summary: "write and sign a repository's indexes and Release files", setup: setupRepoPublish},
		"snapshot": {summary: "freeze, list, compare and drop named package sets", setup: setupRepoSnapshot},
		"mirror":   {summary: "keep a filtered copy of a signed upstream repository in this one", setup: setupRepoMirror},
		"rollback": {summary: "publish again the package set published before the current one", setup: setupRepoRollback},
		"serve":    {summary: "serve a repository, its app feed, uploads and a Downloads page over HTTP", setup: setupRepoServe},
	})
	t.group("source", "manage package sources", map[string]*subcommand{
		"add":     {summary: "add a repository from a \"deb ...\" line or a .list/.sources file", setup: setupSourceAdd},
		"list":    {summary: "list the configured sources", setup: setupSourceList},
		"enable":  {summary: "enable sources by name or URI", setup: setupSourceEdit("enable")},
		"disable": {summary: "disable sources by name or URI", setup: setupSourceEdit("disable")},
		"remove":  {summary: "remove sources by name or URI", setup: setupSourceEdit("remove")},
	})
	t.group("version", "compare and sort Debian versions", map[string]*subcommand{
		"compare": {summary: "exit 0 when V1 OP V2 holds, 1 when not", setup: setupVersionCompare},
		"sort":    {summary: "print the versions on stdin in ascending order", setup: setupVersionSort},
	})
	return t
}

// commands returns every command by name.
func commands() map[string]*command { return table().commands }

// groupVerbs returns the verbs of every command group by command name, so
// that help and the generators can list them.
func groupVerbs() map[string]map[string]*subcommand { return table().verbs }

// register adds c to the command table (tests add probes with it).
func register(c *command) { table().commands[c.name] = c }
