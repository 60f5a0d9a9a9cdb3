//! In-meeting settings as Rust values instead of the wire's magic integers.

use std::fmt;
use std::str::FromStr;

use meeting_api::types::{UpdateStartedConfigReqBody as Body, builder};

/// Defines a setting's enum with its wire value and its command-line name.
macro_rules! setting_enum {
    ($(#[$meta:meta])* $name:ident { $(#[doc = $doc:literal] $variant:ident = $wire:literal, $text:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = $doc] $variant,)+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value on the wire.
            pub fn wire(self) -> i32 {
                match self { $(Self::$variant => $wire,)+ }
            }

            /// The name used on the command line.
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $text,)+ }
            }

            /// What the value means, in a few words.
            pub fn describe(self) -> &'static str {
                match self { $(Self::$variant => $doc.trim(),)+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!(
                        "{other:?} is not one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

setting_enum! {
    /// Who may join the meeting.
    CallInRestriction {
        /// Everyone.
        Everyone = 0, "everyone";
        /// Users of the enterprise.
        EnterpriseUsers = 2, "enterprise";
        /// Invited users only.
        InvitedUsers = 3, "invited";
    }
}

setting_enum! {
    /// Who of a webinar's audience may join.
    AudienceCallInRestriction {
        /// Everyone.
        Everyone = 0, "everyone";
        /// Users of the enterprise and invited users.
        EnterpriseAndInvited = 2, "enterprise-and-invited";
    }
}

setting_enum! {
    /// What participants may chat.
    ChatPermission {
        /// No chat.
        Forbidden = 1, "forbidden";
        /// Private chat only.
        PrivateOnly = 2, "private";
        /// Public chat only.
        PublicOnly = 3, "public";
        /// Private and public chat.
        Free = 4, "free";
    }
}

setting_enum! {
    /// Who may record locally.
    LocalRecording {
        /// The host only (the service's default).
        HostOnly = 0, "host";
        /// Everyone.
        Everyone = 1, "everyone";
        /// Some participants.
        Selected = 2, "selected";
    }
}

/// A change to the settings of a meeting in progress: only what is set is sent.
///
/// ```
/// use meeting::{CallInRestriction, SettingsUpdate};
/// let update = SettingsUpdate::new()
///     .lock_sharing(true)
///     .call_in(CallInRestriction::EnterpriseUsers);
/// assert!(!update.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct SettingsUpdate {
    lock_sharing: Option<bool>,
    call_in: Option<CallInRestriction>,
    allow_unmute: Option<bool>,
    chat: Option<ChatPermission>,
    audience_call_in: Option<AudienceCallInRestriction>,
    local_recording: Option<LocalRecording>,
    allow_camera: Option<bool>,
    allow_rename: Option<bool>,
    locked: Option<bool>,
    free_share: Option<bool>,
}

impl SettingsUpdate {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing is set (the service refuses an empty update, and so does the client).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Locks (or unlocks) sharing.
    pub fn lock_sharing(mut self, locked: bool) -> Self {
        self.lock_sharing = Some(locked);
        self
    }

    /// Who may join.
    pub fn call_in(mut self, who: CallInRestriction) -> Self {
        self.call_in = Some(who);
        self
    }

    /// Whether participants may unmute themselves.
    pub fn allow_unmute(mut self, allow: bool) -> Self {
        self.allow_unmute = Some(allow);
        self
    }

    /// What participants may chat.
    pub fn chat(mut self, permission: ChatPermission) -> Self {
        self.chat = Some(permission);
        self
    }

    /// Who of a webinar's audience may join.
    pub fn audience_call_in(mut self, who: AudienceCallInRestriction) -> Self {
        self.audience_call_in = Some(who);
        self
    }

    /// Who may record locally.
    pub fn local_recording(mut self, who: LocalRecording) -> Self {
        self.local_recording = Some(who);
        self
    }

    /// Whether participants may turn their camera on.
    pub fn allow_camera(mut self, allow: bool) -> Self {
        self.allow_camera = Some(allow);
        self
    }

    /// Whether participants may rename themselves.
    pub fn allow_rename(mut self, allow: bool) -> Self {
        self.allow_rename = Some(allow);
        self
    }

    /// Locks (or unlocks) the meeting.
    pub fn locked(mut self, locked: bool) -> Self {
        self.locked = Some(locked);
        self
    }

    /// Whether anyone may take over sharing (otherwise only host and co-hosts).
    pub fn free_share(mut self, free: bool) -> Self {
        self.free_share = Some(free);
        self
    }

    /// The generated body. Every value is valid by construction; the conversion is
    /// checked anyway, so a spec change shows up as an error rather than a panic.
    pub(crate) fn to_body(&self) -> Result<Body, String> {
        fn flag(on: bool) -> i32 {
            i32::from(on)
        }
        fn field<T: TryFrom<i32>>(value: Option<i32>) -> Result<Option<T>, String>
        where
            T::Error: fmt::Display,
        {
            value
                .map(T::try_from)
                .transpose()
                .map_err(|e| e.to_string())
        }
        let b = builder::UpdateStartedConfigReqBody::default()
            .lock_sharing(field(self.lock_sharing.map(flag))?)
            .call_in_restriction(field(self.call_in.map(CallInRestriction::wire))?)
            .allow_unmute_by_oneself(field(self.allow_unmute.map(flag))?)
            .chat_permission(field(self.chat.map(ChatPermission::wire))?)
            .audience_call_in_restriction(field(
                self.audience_call_in.map(AudienceCallInRestriction::wire),
            )?)
            .client_rec_mode(field(self.local_recording.map(LocalRecording::wire))?)
            .allow_open_camera(field(self.allow_camera.map(flag))?)
            .allow_rename(field(self.allow_rename.map(flag))?)
            .is_lock(field(self.locked.map(flag))?)
            .free_share(field(self.free_share.map(flag))?);
        Body::try_from(b).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_set_fields_are_sent_with_their_wire_values() {
        let body = SettingsUpdate::new()
            .lock_sharing(true)
            .call_in(CallInRestriction::InvitedUsers)
            .chat(ChatPermission::PrivateOnly)
            .to_body()
            .expect("valid");
        let json = serde_json::to_value(&body).expect("JSON");
        assert_eq!(
            json,
            serde_json::json!({"lockSharing": 1, "callInRestriction": 3, "chatPermission": 2})
        );
        let all = SettingsUpdate::new()
            .lock_sharing(false)
            .call_in(CallInRestriction::Everyone)
            .allow_unmute(true)
            .chat(ChatPermission::Free)
            .audience_call_in(AudienceCallInRestriction::EnterpriseAndInvited)
            .local_recording(LocalRecording::Selected)
            .allow_camera(false)
            .allow_rename(true)
            .locked(true)
            .free_share(false);
        let json = serde_json::to_value(all.to_body().expect("valid")).expect("JSON");
        assert_eq!(json.as_object().map(|o| o.len()), Some(10));
        assert_eq!(json["clientRecMode"], 2);
        assert_eq!(json["audienceCallInRestriction"], 2);
    }

    #[test]
    fn names_parse_and_print() {
        for value in CallInRestriction::ALL {
            assert_eq!(value.name().parse::<CallInRestriction>().ok(), Some(*value));
        }
        let err = "nobody".parse::<CallInRestriction>().expect_err("unknown");
        assert!(err.contains("everyone, enterprise, invited"));
        assert!(SettingsUpdate::new().is_empty());
    }
}
