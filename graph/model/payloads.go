package model

import "cyberkg/kg"

// EntityPayload is what upsertEntity or mergeEntities did. Its entity is
// read only when a client asks for it (a field resolver): a writer that
// asks for its version and change alone costs no read after the write.
type EntityPayload struct {
	// Version is the entity's version now: after the write, or the current
	// one when refused.
	Version *int `json:"version,omitempty"`
	// Change is the change the write made; null when refused or validateOnly.
	Change *Change `json:"change,omitempty"`
	// UserErrors say why the write was refused; empty when it was not.
	UserErrors []UserError `json:"userErrors"`
	// EntityID is the entity the payload's entity field reads.
	EntityID string `json:"-"`
}

// RelationshipPayload is what upsertRelationship did; its relationship,
// like EntityPayload's entity, is read only when asked for.
type RelationshipPayload struct {
	Version    *int        `json:"version,omitempty"`
	Change     *Change     `json:"change,omitempty"`
	UserErrors []UserError `json:"userErrors"`
	// RelationshipID and RelType name the relationship written, for the
	// relationship field; empty when the write was refused.
	RelationshipID string     `json:"-"`
	RelType        kg.RelType `json:"-"`
}
