// Package sdk is a client for IronCore Labs' privacy platform that speaks the
// same wire protocol as ironoxide, IronCore's Rust SDK: identity-assertion
// JWTs, device request signing ("IronCore 2."), the escrowed user master key,
// managed documents in the version-2 format, and groups.
//
// A Client holds a Config and the HTTP connections it shares. The calls that
// authenticate with a JWT (UserCreate, UserVerify, UserUpdateStatus,
// GenerateDevice) are methods on Client; Initialize (or
// InitializeCheckRotation, InitializeAndRotate) turns a DeviceContext into
// an SDK, one per identity, whose methods sign every request with the
// device's key and keep ironoxide's public-key and policy caches.
//
// Every ironoxide operation that reaches the service is here, named as
// ironoxide names it, with its call order and client-side work (spec §7):
// users (UserGetPublicKey, UserChangePassword, UserDisableSelf,
// UserRotatePrivateKey, DeviceList, DeviceDelete), key rotation
// (InitializeCheckRotation, RotateAll), groups (GroupCreate, GroupGet,
// GroupList, GroupUpdateName, GroupDelete, GroupAddMembers,
// GroupRemoveMembers, GroupAddAdmins, GroupRemoveAdmins,
// GroupRotatePrivateKey) and documents (DocumentEncrypt with users, groups
// and a PolicyGrant, DocumentDecrypt, DocumentList, DocumentGetMetadata,
// DocumentUpdate, DocumentUpdateName, DocumentGrantAccess,
// DocumentRevokeAccess, and the unmanaged DocumentEncryptUnmanaged,
// DocumentDecryptUnmanaged, DocumentGrantAccessUnmanaged). Operations that
// need no service (tokenizing, blind indexes, reading an unmanaged
// document's EDEKs) are left out; DocumentID reads a document's ID.
//
// The package measures but does not record: every operation reports the
// intervals it spent in cryptography ("crypto:pbkdf2") and in each HTTP call
// ("http:user_create", with sub-phases such as "http:user_create/connect")
// to a hook the caller puts in the context with WithPhaseHook.
//
// Errors are typed (*ServiceError, *AuthError, *CryptoError, *ProtocolError)
// and never carry a key, password or JWT.
//
// There is no default service URL: Config.BaseURL is required, unlike
// ironoxide, which talks to production when nothing is set.
package sdk
