package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"aim/repo/pgp"
)

// aim key export FILE [--binary]
//
// Prints the public keys of FILE, a public key file or a secret key file
// (whose passphrase is not needed), armored or, with --binary, as the
// binary keyring apt reads from a ".gpg" file.

func setupKeyExport(fs *pflag.FlagSet) func(*env, []string) error {
	binary := fs.Bool("binary", false, "print a binary keyring, as apt's .gpg files (export)")
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return usageError("usage: aim key export KEY-FILE [--binary]")
		}
		kr, err := readPublicKeys(args[0])
		if err != nil {
			return err
		}
		if *binary {
			return kr.WriteBinary(e.stdout)
		}
		return kr.WriteArmored(e.stdout)
	}
}

// readPublicKeys reads the public keys of a key file, or the public half
// of a secret key file.
func readPublicKeys(name string) (*pgp.Keyring, error) {
	data, err := readKeyFile(name)
	if err != nil {
		return nil, err
	}
	kr, err := pgp.ParsePublic(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return kr, nil
}
