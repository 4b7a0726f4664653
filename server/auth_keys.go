package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"cyberkg/kg"
	"cyberkg/store"
)

// runKeys is the keys subcommand: whoever can reach Neo4j with the server's
// credentials manages keys, so it needs no key of its own.
//
//	server keys create -role curator -name NAME   prints the new key, once
//	server keys list                              id, name, role, created, revoked
//	server keys revoke ID
func runKeys(ctx context.Context, s *store.Store, role, name string, args []string, out io.Writer) error {
	const usage = "usage: server keys create -role reader|curator|admin -name NAME | server keys list | server keys revoke ID"
	if len(args) == 0 {
		return fmt.Errorf("%s", usage)
	}
	switch action := args[0]; {
	case action == "create" && len(args) == 1:
		r, err := kg.ParseRole(role)
		if err != nil {
			return fmt.Errorf("keys create -role: %w", err)
		}
		key, k, err := s.CreateKey(ctx, name, r)
		if err != nil {
			return fmt.Errorf("keys create: %w", err)
		}
		fmt.Fprintf(out, "%s\n", key)
		fmt.Fprintf(out, "# key %s (%s, %s): shown only now; send it as \"Authorization: Bearer <key>\"\n", k.ID, k.Name, k.Role)
		return nil
	case action == "list" && len(args) == 1:
		keys, err := s.Keys(ctx)
		if err != nil {
			return fmt.Errorf("keys list: %w", err)
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.Revoked() {
				revoked = k.RevokedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, k.CreatedAt.UTC().Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	case action == "revoke" && len(args) == 2:
		k, err := s.RevokeKey(ctx, args[1])
		if err != nil {
			return fmt.Errorf("keys revoke: %w", err)
		}
		fmt.Fprintf(out, "revoked key %s (%s, %s) at %s\n", k.ID, k.Name, k.Role, k.RevokedAt.UTC().Format(time.RFC3339))
		return nil
	}
	return fmt.Errorf("%s", usage)
}
