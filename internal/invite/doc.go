// Package invite adds people to organizations by invitation (SPEC ORG-3,
// ACC-2).
//
// # Rules
//
//   - Legal representatives and administrators invite (authz.ManageMembers);
//     only a legal representative invites a legal representative
//     (authz.AppointLegalRep). The invitation carries the role, the billing
//     right, the contact preferences, the products and the teams the person
//     will get.
//   - One pending invitation per organization and address: the partial
//     unique index decides (ErrInvitationPending). An expired pending one is
//     cancelled by a new invitation. Inviting someone who already belongs to
//     the organization is org.ErrAlreadyMember.
//   - The "invitation" e-mail holds a secret link {BaseURL}/invitations/{token};
//     only the token's SHA-256 is stored. It is written in the invitee's
//     language when they have an account, else in the inviter's. The link
//     works until it expires (Options.TTL, 14 days by default), once.
//   - Resending makes a new token and a new expiry: the old link stops
//     working.
//   - A person with an account accepts or declines from the console (the
//     invitation must be for their login address) or through the link.
//     Someone without an account signs up from the link: the account, with
//     its address confirmed by the link and no organization of its own, and
//     the membership are one transaction (ACC-2).
//   - Accepting joins the invited teams and gets the granted products that
//     still exist in the organization.
//   - Expired, used, cancelled and unknown links are ErrInvitationInvalid.
//   - Every change is audited.
//
// # States
//
//	pending ──accept──> accepted
//	   │ ├──decline───> declined
//	   │ └──cancel────> cancelled (also: replaced after expiry)
//	   └──resend──> pending (new token, new expiry)
package invite
