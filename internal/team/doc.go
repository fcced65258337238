// Package team holds an organization's work teams (SPEC TEAM-1..3).
//
// # Rules
//
//   - Only legal representatives and administrators create, rename and
//     delete teams and change their members (TEAM-1, authz.ManageTeams).
//   - A team's name is unique in its organization: the unique index decides,
//     and a clash is ErrNameTaken.
//   - A team is granted products of its organization; each member reaches
//     them through the team, at once (TEAM-2: the product reach query joins
//     team_members and team_products, nothing is copied).
//   - A user may be in several teams; members and external users of the
//     organization can be added, several in one step, all or nothing (TEAM-3).
//   - The leader, the team's contact person, is always a member: naming a
//     leader adds them to the team, removing the leader from the team clears
//     the leader.
//   - Members see every team of their organization; an external user sees
//     only the teams they are in.
//   - Every change is one transaction with its audit event.
package team
