// After a security key is added (django-otp-webauthn's script announces it), reload the
// two-factor page: it then lists the key and, for a first factor, offers the recovery codes.
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
