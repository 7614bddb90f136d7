package db

import (
	"fmt"
	"strings"
)

// Journal phases: a step is written as JournalStaging before anything
// under the root changes, moves to JournalStaged once its new files are
// all staged, and every step of a transaction becomes JournalCommitted in
// the same database transaction that records the new installed state.
const (
	JournalStaging   = "staging"
	JournalStaged    = "staged"
	JournalCommitted = "committed"
)

// JournalStep is one step of the transaction in progress, as recovery
// needs it.
type JournalStep struct {
	Seq     int64
	TxID    string
	Action  string // "install", "upgrade" or "remove"
	Package string
	Phase   string
	// Deb is the archive unpacked ("" for a removal).
	Deb string
	// Old holds the paths of the installed version, New those of the new
	// one (known once staged).
	Old, New []string
	Purge    bool
}

// AddJournal appends steps to the journal in one transaction, setting
// their Seq.
func (s *store) AddJournal(steps []JournalStep) error {
	err := s.atomic(func(s *store) error {
		for i := range steps {
			st := &steps[i]
			res, err := s.exec(`INSERT INTO journal (txid, action, package, phase, deb, old, new, purge)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, st.TxID, st.Action, st.Package, st.Phase, st.Deb,
				strings.Join(st.Old, "\n"), strings.Join(st.New, "\n"), st.Purge)
			if err != nil {
				return err
			}
			if st.Seq, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	return nil
}

// UpdateJournal stores the phase and new paths of the step with st.Seq.
func (s *store) UpdateJournal(st *JournalStep) error {
	_, err := s.exec(`UPDATE journal SET phase = ?, new = ? WHERE seq = ?`,
		st.Phase, strings.Join(st.New, "\n"), st.Seq)
	if err != nil {
		return fmt.Errorf("update journal: %w", err)
	}
	return nil
}

// SetJournalPhase moves every step of the transaction txid to phase.
func (s *store) SetJournalPhase(txid, phase string) error {
	if _, err := s.exec(`UPDATE journal SET phase = ? WHERE txid = ?`, phase, txid); err != nil {
		return fmt.Errorf("update journal: %w", err)
	}
	return nil
}

// Journal returns the steps in the journal in the order written.
func (s *store) Journal() ([]JournalStep, error) {
	rows, err := s.query(`SELECT seq, txid, action, package, phase, deb, old, new, purge FROM journal ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer rows.Close()
	var out []JournalStep
	for rows.Next() {
		var st JournalStep
		var old, nw string
		if err := rows.Scan(&st.Seq, &st.TxID, &st.Action, &st.Package, &st.Phase, &st.Deb, &old, &nw, &st.Purge); err != nil {
			return nil, fmt.Errorf("read journal: %w", err)
		}
		st.Old, st.New = splitLines(old), splitLines(nw)
		out = append(out, st)
	}
	return out, rows.Err()
}

// ClearJournal forgets the steps of transaction txid.
func (s *store) ClearJournal(txid string) error {
	if _, err := s.exec(`DELETE FROM journal WHERE txid = ?`, txid); err != nil {
		return fmt.Errorf("clear journal: %w", err)
	}
	return nil
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
