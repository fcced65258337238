package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
)

// ErrCurrentPasswordWrong refuses a change of the login e-mail, of the
// password or the closing of the account when the current password given
// with it is wrong (ACC-5). Its attribute is "current_password".
var ErrCurrentPasswordWrong = apperr.Register("current_password_wrong", http.StatusUnprocessableEntity,
	"The current password is wrong: enter the password you sign in with.")

// checkCurrentPassword loads userID with its password hash and checks that
// password is the current one. It reads outside any transaction, so the slow
// hash check does not hold SQLite's only connection.
func (s *Service) checkCurrentPassword(ctx context.Context, userID, password string) (User, string, error) {
	if !id.Valid(userID) {
		return User{}, "", apperr.NotFound
	}
	var hash string
	u, err := scanUserWithHash(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE id = $1`, userID), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", apperr.NotFound
	}
	if err != nil {
		return User{}, "", fmt.Errorf("account: loading user: %w", err)
	}
	ok, err := CheckPassword(password, hash)
	if err != nil {
		return User{}, "", err
	}
	if !ok {
		return User{}, "", ErrCurrentPasswordWrong.Field("current_password")
	}
	return u, hash, nil
}
