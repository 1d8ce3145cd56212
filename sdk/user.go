package sdk

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/ironcorelabs/loadgen/internal/testhook"
)

// UserResult is a user as the service describes it after UserCreate or
// UserVerify.
type UserResult struct {
	ID            string
	SegmentID     int64 // the numeric segment id
	Status        int   // 1 enabled, 0 disabled
	NeedsRotation bool
	PublicKey     PublicKey // the user's master public key
}

// UserCreateOptions are the optional settings of UserCreate.
type UserCreateOptions struct {
	// NeedsRotation marks the new user's master key for rotation.
	NeedsRotation bool
}

// DeviceOptions are the optional settings of GenerateDevice.
type DeviceOptions struct {
	// Name is the device's name; empty sends none. It is trimmed and must
	// then be 1 to 100 bytes, as ironoxide's DeviceName.
	Name string
}

// mintJWT mints a fresh JWT for userID as the phase crypto:jwt.
func (c *Client) mintJWT(ctx context.Context, iss *Issuer, userID string) (string, error) {
	if iss == nil {
		return "", &AuthError{Op: "mint jwt", Err: fmt.Errorf("no issuer")}
	}
	return timed(ctx, "crypto:jwt", func() (string, error) {
		return iss.Mint(userID, c.t.cfg.now(), c.rand())
	})
}

// UserCreate creates the user userID (POST users), authenticated by a JWT
// that iss mints for this call. It generates the user's master key pair and
// escrows the private key under password (PBKDF2 + AES-GCM). Phases:
// crypto:jwt, crypto:keygen, crypto:pbkdf2, crypto:aes, http:user_create.
func (c *Client) UserCreate(ctx context.Context, iss *Issuer, userID, password string, opts UserCreateOptions) (*UserResult, error) {
	ctx, cancel := c.opContext(ctx)
	defer cancel()
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	jwt, err := c.mintJWT(ctx, iss, userID)
	if err != nil {
		return nil, err
	}
	rnd := c.rand()
	priv, pub, err := timed2(ctx, "crypto:keygen", func() ([]byte, PublicKey, error) {
		return c.rc.GenerateKeyPair(rnd)
	})
	if err != nil {
		return nil, &CryptoError{Op: "user key pair", Err: err}
	}
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return nil, &CryptoError{Op: "salt", Err: err}
	}
	key, err := timed(ctx, "crypto:pbkdf2", func() ([]byte, error) { return deriveKey(password, salt) })
	if err != nil {
		return nil, &CryptoError{Op: "pbkdf2", Err: err}
	}
	escrow, err := timed(ctx, "crypto:aes", func() ([]byte, error) { return sealMasterKey(key, salt, priv, rnd) })
	if err != nil {
		return nil, &CryptoError{Op: "encrypt master key", Err: err}
	}
	body, err := marshal(userCreateReq{UserPublicKey: pub, UserPrivateKey: escrow, NeedsRotation: opts.NeedsRotation})
	if err != nil {
		return nil, err
	}
	p, release := c.jwtPool()
	defer release()
	data, err := p.do(ctx, &call{name: "user_create", method: http.MethodPost, path: "users", body: body, auth: jwtAuth{jwt}})
	if err != nil {
		return nil, err
	}
	var r userResp
	if err := decode("user_create", data, &r); err != nil {
		return nil, err
	}
	return r.result(), nil
}

func (r *userResp) result() *UserResult {
	return &UserResult{ID: r.ID, SegmentID: r.SegmentID, Status: r.Status, NeedsRotation: r.NeedsRotation, PublicKey: r.UserMasterPublicKey}
}

// UserVerify asks whether the user of a JWT that iss mints for userID
// exists (GET users/verify?returnKeys=true). It returns nil and no error
// when the service answers with an empty body: no such user. Phases:
// crypto:jwt, http:user_verify.
func (c *Client) UserVerify(ctx context.Context, iss *Issuer, userID string) (*UserResult, error) {
	ctx, cancel := c.opContext(ctx)
	defer cancel()
	jwt, err := c.mintJWT(ctx, iss, userID)
	if err != nil {
		return nil, err
	}
	p, release := c.jwtPool()
	defer release()
	r, err := c.verify(ctx, p, jwt)
	if err != nil || r == nil {
		return nil, err
	}
	return r.result(), nil
}

func (c *Client) verify(ctx context.Context, p pool, jwt string) (*userResp, error) {
	data, err := p.do(ctx, &call{name: "user_verify", method: http.MethodGet, path: "users/verify", query: "returnKeys=true", auth: jwtAuth{jwt}})
	if err != nil {
		return nil, err
	}
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	var r userResp
	if err := decode("user_verify", data, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// GenerateDevice adds a device to user userID, as ironoxide's
// generate_new_device does: one JWT for both calls; user verify; unlock the
// master key with password; new Ed25519 signing key and recrypt device key;
// a transform key from the user to the device; a Schnorr signature over the
// timestamp, transform key, JWT and user key; POST users/devices. Phases in
// order: crypto:jwt, http:user_verify, crypto:pbkdf2, crypto:aes,
// crypto:signing_keygen, crypto:keygen, crypto:transform_key, crypto:sign,
// http:device_add. A test's delay for "generate_device" (internal/testhook)
// sleeps between http:user_verify and crypto:pbkdf2.
func (c *Client) GenerateDevice(ctx context.Context, iss *Issuer, userID, password string, opts DeviceOptions) (DeviceContext, error) {
	ctx, cancel := c.opContext(ctx)
	defer cancel()
	if err := checkPassword(password); err != nil {
		return DeviceContext{}, err
	}
	var name *string
	if opts.Name != "" {
		v, err := validateName("device", opts.Name)
		if err != nil {
			return DeviceContext{}, err
		}
		name = &v
	}
	ts := uint64(c.t.cfg.now().UnixMilli())
	jwt, err := c.mintJWT(ctx, iss, userID)
	if err != nil {
		return DeviceContext{}, err
	}
	p, release := c.jwtPool()
	defer release()
	user, err := c.verify(ctx, p, jwt)
	if err != nil {
		return DeviceContext{}, err
	}
	if user == nil {
		return DeviceContext{}, fmt.Errorf("sdk: generate_device: %w", ErrNoUser)
	}
	if len(user.UserPrivateKey) != masterKeyLen {
		return DeviceContext{}, &ProtocolError{Call: "user_verify", Err: fmt.Errorf("userPrivateKey is %d bytes, want %d", len(user.UserPrivateKey), masterKeyLen)}
	}
	if err := user.UserMasterPublicKey.check(); err != nil {
		return DeviceContext{}, &ProtocolError{Call: "user_verify", Err: err}
	}
	if err := testhook.Delay(ctx, "generate_device"); err != nil {
		return DeviceContext{}, err
	}
	key, err := timed(ctx, "crypto:pbkdf2", func() ([]byte, error) { return deriveKey(password, user.UserPrivateKey[:saltLen]) })
	if err != nil {
		return DeviceContext{}, &CryptoError{Op: "pbkdf2", Err: err}
	}
	userPriv, err := timed(ctx, "crypto:aes", func() ([]byte, error) { return openMasterKey(key, user.UserPrivateKey) })
	if err != nil {
		return DeviceContext{}, &CryptoError{Op: "decrypt master key", Err: err}
	}
	rnd := c.rand()
	signing, err := timed(ctx, "crypto:signing_keygen", func() (ed25519.PrivateKey, error) { return newSigningKey(rnd) })
	if err != nil {
		return DeviceContext{}, &CryptoError{Op: "device signing key", Err: err}
	}
	devPriv, devPub, err := timed2(ctx, "crypto:keygen", func() ([]byte, PublicKey, error) { return c.rc.GenerateKeyPair(rnd) })
	if err != nil {
		return DeviceContext{}, &CryptoError{Op: "device key pair", Err: err}
	}
	tk, err := timed(ctx, "crypto:transform_key", func() (transformKey, error) {
		return c.rc.GenerateTransformKey(rnd, userPriv, devPub, signing)
	})
	if err != nil {
		return DeviceContext{}, &CryptoError{Op: "transform key", Err: err}
	}
	sig, err := timed(ctx, "crypto:sign", func() ([]byte, error) {
		return c.rc.SchnorrSign(rnd, userPriv, user.UserMasterPublicKey, deviceAddMessage(ts, &tk, jwt, user.UserMasterPublicKey))
	})
	if err != nil {
		return DeviceContext{}, &CryptoError{Op: "device add signature", Err: err}
	}
	body, err := marshal(deviceAddReq{
		Timestamp: ts,
		Device:    deviceAddBody{TransformKey: tk, Name: name},
		Signature: sig,
		UserKey:   user.UserMasterPublicKey,
	})
	if err != nil {
		return DeviceContext{}, err
	}
	data, err := p.do(ctx, &call{name: "device_add", method: http.MethodPost, path: "users/devices", body: body, auth: jwtAuth{jwt}})
	if err != nil {
		return DeviceContext{}, err
	}
	var dr deviceResp
	if err := decode("device_add", data, &dr); err != nil {
		return DeviceContext{}, err
	}
	return DeviceContext{AccountID: user.ID, SegmentID: user.SegmentID, DeviceID: dr.ID, SigningPrivateKey: signing, DevicePrivateKey: devPriv}, nil
}

// deviceAddMessage is the Schnorr message of a device add (§5.7): decimal
// timestamp || transform key (672 bytes) || JWT || user public key (64).
func deviceAddMessage(ts uint64, tk *transformKey, jwt string, userKey PublicKey) []byte {
	m := make([]byte, 0, 20+672+len(jwt)+64)
	m = strconv.AppendUint(m, ts, 10)
	m = append(m, tk.bytes()...)
	m = append(m, jwt...)
	return append(m, userKey.Bytes()...)
}
