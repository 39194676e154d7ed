package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"golang.org/x/oauth2"
)

// TableName overrides gorm's naming, which would split "OAuth" into o_auth.
func (OAuthState) TableName() string { return "oauth_states" }

// InsertOAuthState stores a pending consent (its state's hash, never the
// state itself).
func (q Q) InsertOAuthState(ctx context.Context, st *OAuthState) error {
	db, cancel := q.with(ctx)
	defer cancel()
	if err := db.Create(st).Error; err != nil {
		return fmt.Errorf("insert oauth state: %w", translate(err))
	}
	return nil
}

// ClaimOAuthState reads the consent whose state hashes to stateHash and
// marks it used in the same transaction, so that a replayed callback finds
// it used. The row is returned as it was before the claim: UsedAt != nil
// means someone used it before (the conditional update also catches two
// concurrent claims). Expiry is the caller's to check.
func (s *Store) ClaimOAuthState(ctx context.Context, stateHash string, now time.Time) (*OAuthState, error) {
	var st OAuthState
	err := s.InTx(ctx, func(tx *Tx) error {
		db, cancel := tx.with(ctx)
		defer cancel()
		if err := db.Where("state_hash = ?", stateHash).Take(&st).Error; err != nil {
			return fmt.Errorf("read oauth state: %w", translate(err))
		}
		if st.UsedAt != nil {
			return nil
		}
		used := now.UTC().Truncate(time.Microsecond)
		res := db.Model(&OAuthState{}).Where("state_hash = ? AND used_at IS NULL", stateHash).Update("used_at", used)
		if res.Error != nil {
			return fmt.Errorf("claim oauth state: %w", translate(res.Error))
		}
		if res.RowsAffected == 0 {
			st.UsedAt = &used // a concurrent callback won
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// Sealer encrypts stored credentials (secret.Box).
type Sealer interface {
	Seal(plaintext []byte) string
	Open(sealed string) ([]byte, error)
}

// ConnectionToken keeps a Google connection's OAuth token, as sealed JSON
// in connections.credentials_sealed. It implements google.TokenStore and,
// on PostgreSQL, google.TokenLocker.
type ConnectionToken struct {
	store        *Store
	sealer       Sealer
	connectionID string
}

// ConnectionToken returns the token store of a connection.
func (s *Store) ConnectionToken(sealer Sealer, connectionID string) *ConnectionToken {
	return &ConnectionToken{store: s, sealer: sealer, connectionID: connectionID}
}

// SealToken is the credentials_sealed value of a token.
func SealToken(sealer Sealer, tok *oauth2.Token) (string, error) {
	data, err := json.Marshal(tok)
	if err != nil {
		return "", fmt.Errorf("encode oauth token: %w", err)
	}
	return sealer.Seal(data), nil
}

// OpenToken reads a token sealed by SealToken.
func OpenToken(sealer Sealer, sealed string) (*oauth2.Token, error) {
	data, err := sealer.Open(sealed)
	if err != nil {
		return nil, fmt.Errorf("open oauth token: %w", err)
	}
	var tok oauth2.Token
	if err := json.Unmarshal(data, &tok); err != nil {
		return nil, fmt.Errorf("decode oauth token: %w", err)
	}
	return &tok, nil
}

// Load reads the stored token; a deleted connection is ErrNotFound.
func (t *ConnectionToken) Load(ctx context.Context) (*oauth2.Token, error) {
	db, cancel := t.store.with(ctx)
	defer cancel()
	var sealed string
	err := db.Model(&Connection{}).Where("id = ?", t.connectionID).Select("credentials_sealed").Take(&sealed).Error
	if err != nil {
		return nil, fmt.Errorf("load token of connection %s: %w", t.connectionID, translate(err))
	}
	return OpenToken(t.sealer, sealed)
}

// Save replaces the stored token (after a refresh).
func (t *ConnectionToken) Save(ctx context.Context, tok *oauth2.Token) error {
	sealed, err := SealToken(t.sealer, tok)
	if err != nil {
		return err
	}
	db, cancel := t.store.with(ctx)
	defer cancel()
	res := db.Model(&Connection{}).Where("id = ?", t.connectionID).UpdateColumn("credentials_sealed", sealed)
	if res.Error != nil {
		return fmt.Errorf("save token of connection %s: %w", t.connectionID, translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("save token of connection %s: %w", t.connectionID, ErrNotFound)
	}
	return nil
}

// LockToken serialises token refreshes of the connection across processes
// with a transaction-scoped advisory lock, held until unlock. An advisory
// lock rather than the row's lock, because Save updates that row from
// another connection of the pool while the lock is held. SQLite deployments
// run one process, whose TokenSource already serialises its refreshes.
func (t *ConnectionToken) LockToken(ctx context.Context) (unlock func(), err error) {
	if t.store.dialect != Postgres {
		return func() {}, nil
	}
	tx, err := t.store.sqlDB.BeginTx(ctx, &sql.TxOptions{})
	if err != nil {
		return nil, fmt.Errorf("lock token of connection %s: %w", t.connectionID, err)
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", tokenLockKey(t.connectionID)); err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("lock token of connection %s: %w", t.connectionID, err)
	}
	return func() { _ = tx.Rollback() }, nil
}

// tokenLockKey is the advisory lock id of a connection's token; a rare
// collision only serialises two unrelated refreshes.
func tokenLockKey(connectionID string) int64 {
	h := fnv.New64a()
	h.Write([]byte("rendezvous/google-token/" + connectionID))
	return int64(h.Sum64())
}
