//! In-meeting settings as Rust values instead of the wire's magic integers.

use std::fmt;
use std::str::FromStr;

use meeting_api::types::UpdateStartedConfigReqBody as Body;

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

/// A value of a setting: what travels on the wire, and how people read it.
trait SettingValue: Copy {
    fn wire(self) -> i32;
    fn text(self) -> &'static str;
}

impl SettingValue for bool {
    fn wire(self) -> i32 {
        i32::from(self)
    }
    fn text(self) -> &'static str {
        if self { "on" } else { "off" }
    }
}

macro_rules! setting_value {
    ($($name:ident),+) => {$(
        impl SettingValue for $name {
            fn wire(self) -> i32 {
                $name::wire(self)
            }
            fn text(self) -> &'static str {
                self.name()
            }
        }
    )+};
}
setting_value!(
    CallInRestriction,
    AudienceCallInRestriction,
    ChatPermission,
    LocalRecording
);

/// Each setting once: its builder method, its type, the generated body's field it
/// fills, and how people read it. Defines [`SettingsUpdate`], its builder, its body and
/// its description (`Display`).
macro_rules! settings_update {
    ($($(#[doc = $doc:literal])* $name:ident($arg:ident: $ty:ty) => $wire:ident, $label:literal;)+) => {
        /// A change to the settings of a meeting in progress: only what is set is sent.
        /// `Display` says what it changes, for people.
        ///
        /// ```
        /// use meeting::{CallInRestriction, SettingsUpdate};
        /// let update = SettingsUpdate::new()
        ///     .lock_sharing(true)
        ///     .call_in(CallInRestriction::EnterpriseUsers);
        /// assert!(!update.is_empty());
        /// assert_eq!(update.to_string(), "lock sharing on, call-in enterprise");
        /// ```
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        #[must_use]
        pub struct SettingsUpdate {
            $($name: Option<$ty>,)+
        }

        impl SettingsUpdate {
            $(
                $(#[doc = $doc])*
                pub fn $name(mut self, $arg: $ty) -> Self {
                    self.$name = Some($arg);
                    self
                }
            )+

            /// The generated body. Every value is valid by construction; the conversion
            /// is checked anyway, so a spec change shows up as an error, not a panic.
            pub(crate) fn to_body(&self) -> Result<Body, String> {
                fn field<T: TryFrom<i32>>(value: Option<impl SettingValue>) -> Result<Option<T>, String>
                where
                    T::Error: fmt::Display,
                {
                    value
                        .map(|v| T::try_from(v.wire()))
                        .transpose()
                        .map_err(|e| e.to_string())
                }
                Ok(Body {
                    $($wire: field(self.$name)?,)+
                })
            }
        }

        impl fmt::Display for SettingsUpdate {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut set: Vec<String> = Vec::new();
                $(
                    if let Some(value) = self.$name {
                        set.push(format!("{} {}", $label, value.text()));
                    }
                )+
                f.write_str(&set.join(", "))
            }
        }
    };
}

settings_update! {
    /// Locks (or unlocks) sharing.
    lock_sharing(locked: bool) => lock_sharing, "lock sharing";
    /// Who may join.
    call_in(who: CallInRestriction) => call_in_restriction, "call-in";
    /// Whether participants may unmute themselves.
    allow_unmute(allow: bool) => allow_unmute_by_oneself, "allow unmute";
    /// What participants may chat.
    chat(permission: ChatPermission) => chat_permission, "chat";
    /// Who of a webinar's audience may join.
    audience_call_in(who: AudienceCallInRestriction) => audience_call_in_restriction, "audience call-in";
    /// Who may record locally.
    local_recording(who: LocalRecording) => client_rec_mode, "local recording";
    /// Whether participants may turn their camera on.
    allow_camera(allow: bool) => allow_open_camera, "allow camera";
    /// Whether participants may rename themselves.
    allow_rename(allow: bool) => allow_rename, "allow rename";
    /// Locks (or unlocks) the meeting.
    locked(locked: bool) => is_lock, "lock";
    /// Whether anyone may take over sharing (otherwise only host and co-hosts).
    free_share(free: bool) => free_share, "free share";
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
