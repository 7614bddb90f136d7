//go:build !unix

package db

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("lock held")

var errNoFlock = errors.New("file locks are not supported on this system")

func tryLock(*os.File) error { return errNoFlock }

func unlock(*os.File) error { return errNoFlock }
