package security

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
)

// AlertIfNew e-mails userID "security_new_signin" (SEC-6, no link) when the
// sign-in just made from meta is the first from its device and network: no
// earlier successful sign-in ("session.signed_in" in the audit trail) had the
// same device label (DeviceLabel of the user agent) and the same network
// (the /24 of an IPv4 address, the /48 of an IPv6 one). The very first
// sign-in of an account sends nothing, nor does a user who switched the
// e-mail off (SEC-7). The e-mail names the place of the address, in the
// user's language, when a GeoIP database is configured (UsePlaces).
//
// Call it after account.CreateSession, whose audit row for this sign-in it
// leaves out. The e-mail is enqueued in its own transaction; it reports
// whether it sent one.
func (s *Service) AlertIfNew(ctx context.Context, userID string, meta audit.Meta) (bool, error) {
	if !id.Valid(userID) {
		return false, apperr.NotFound
	}
	// Loaded before the transaction: SQLite has one connection.
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return false, err
	}
	sent := false
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT ip, user_agent FROM audit_events
			WHERE subject_user_id = $1 AND action = 'session.signed_in'`, userID)
		if err != nil {
			return fmt.Errorf("security: listing earlier sign-ins: %w", err)
		}
		device, network := DeviceLabel(meta.UserAgent), networkOf(meta.IP)
		skipped, earlier, known := false, 0, false
		for rows.Next() {
			var ip, ua string
			if err := rows.Scan(&ip, &ua); err != nil {
				rows.Close()
				return fmt.Errorf("security: reading earlier sign-ins: %w", err)
			}
			if !skipped && ip == meta.IP && ua == meta.UserAgent {
				skipped = true // the sign-in being checked
				continue
			}
			earlier++
			if DeviceLabel(ua) == device && networkOf(ip) == network {
				known = true
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("security: reading earlier sign-ins: %w", err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("security: reading earlier sign-ins: %w", err)
		}
		if earlier == 0 || known {
			return nil
		}
		want, err := WantsEmail(ctx, tx, userID, EventNewSignIn)
		if err != nil || !want {
			return err
		}
		if device == "" {
			device = "?"
		}
		to, err := account.AlertAddress(ctx, tx, u.ID, u.Email)
		if err != nil {
			return err
		}
		if _, err := s.notify.Send(ctx, tx, notify.Message{Channel: "email", To: to, Language: u.Language,
			Template: "security_new_signin", UserID: u.ID, Data: map[string]any{
				"FirstName": u.FirstName,
				"Device":    device,
				"IP":        meta.IP,
				"Place":     s.place(meta.IP, u.Language), // "" without a GeoIP database: the e-mail leaves it out
				"Time":      formatTime(s.clock.Now(), u.TimeZone),
			}}); err != nil {
			return fmt.Errorf("security: sending the new sign-in e-mail: %w", err)
		}
		sent = true
		return nil
	})
	return sent, err
}

// networkOf names the network of an address: its /24 for IPv4, its /48 for
// IPv6; an address that does not parse is its own network.
func networkOf(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(ip)
		if err2 != nil {
			return ip
		}
		a = ap.Addr()
	}
	a = a.Unmap().WithZone("")
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}
