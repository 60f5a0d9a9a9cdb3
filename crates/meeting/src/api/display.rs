//! What the meeting shows: the host's view, a terminal's view, how the picture follows
//! the speaker, the multi-picture and the layouts saved for it. Control calls, with
//! the control token (and the access token when the client has credentials).

use std::time::Duration;

use meeting_api::operations::{
    DELETE_LAYOUT, SAVE_LAYOUT, SET_CUSTOM_MULTI_PICTURE, SET_HOST_VIEW, SET_MULTI_PICTURE,
    SET_PARTICIPANT_VIEW, SHOW_LAYOUT, SWITCH_MODE,
};
use meeting_api::types::{
    LayoutId, PicInfoNotify, PicLayoutInfo, RestChairViewReqBody, RestCustomMultiPictureBody,
    RestMixedPictureBody, RestParticipantViewReqBody, RestPicLayout, RestPicLayoutBody,
    RestSwitchModeReqBody, RestSwitchModeReqBodySwitchMode, SubPicLayoutInfo, SubscriberInPic,
};

use crate::api::control::switch;
use crate::conference::{Conference, NO_INPUT, Participant, id_problem};
use crate::error::Error;
use crate::layout::{Manual, MultiPicture, Picture, SavedLayout};

/// What the host sees (see [`Conference::set_host_view`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostView {
    /// Each participant in turn, for `every` (10 s to 120 s, whole seconds).
    Rotate {
        /// How long each participant is shown.
        every: Duration,
    },
    /// Stops rotating.
    StopRotating,
    /// The multi-picture.
    MultiPicture,
    /// One participant (its ID).
    Participant(String),
}

/// How the meeting's picture follows the speaker (see [`Conference::set_display_mode`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisplayMode {
    /// A fixed broadcast picture.
    Fixed,
    /// The picture follows whoever speaks (voice-activated switching).
    FollowSpeaker,
    /// A multi-picture that follows whoever speaks.
    FollowSpeakerMultiPicture,
}

/// `Err` with the problem for pictures rotated outside 10 s to 120 s.
fn rotation_seconds(every: Duration) -> Result<i32, String> {
    let secs = every.as_secs();
    match i32::try_from(secs) {
        Ok(s) if (10..=120).contains(&s) && every.subsec_nanos() == 0 => Ok(s),
        _ => Err(format!(
            "the view rotates every 10 to 120 whole seconds, not {every:?}"
        )),
    }
}

fn subscribers(pictures: &[Picture]) -> Vec<SubscriberInPic> {
    (1..)
        .zip(pictures)
        .map(|(index, p)| SubscriberInPic {
            index: std::num::NonZeroU32::new(index),
            subscriber: p.participants.clone(),
            is_assist_stream: switch(p.shared_stream).ok(),
        })
        .collect()
}

impl Conference {
    /// Chooses what the host sees. A participant who is not in the meeting is the
    /// service's refusal ([`crate::Refusal::ParticipantNotInMeeting`]).
    pub async fn set_host_view(&self, view: &HostView) -> Result<(), Error> {
        let body = (|| {
            let (view_type, participant_id, switch_time, status) = match view {
                HostView::Rotate { every } => (
                    0,
                    None,
                    Some(rotation_seconds(*every)?),
                    Some(switch(true)?),
                ),
                HostView::StopRotating => (0, None, None, Some(switch(false)?)),
                HostView::MultiPicture => (1, None, None, None),
                HostView::Participant(id) => {
                    if let Some(problem) = id_problem("participant id", id) {
                        return Err(problem);
                    }
                    (2, Some(id.clone()), None, None)
                }
            };
            Ok(RestChairViewReqBody {
                view_type: view_type
                    .try_into()
                    .map_err(|_| "not a view type".to_owned())?,
                participant_id,
                switch_time,
                status,
            })
        })();
        self.run(&SET_HOST_VIEW, body.as_ref(), |api, body| {
            api.set_host_view(self.id(), body)
        })
        .await
    }

    /// Sets how the picture follows the speaker.
    pub async fn set_display_mode(&self, mode: DisplayMode) -> Result<(), Error> {
        let (switch_mode, multi_picture) = match mode {
            DisplayMode::Fixed => (RestSwitchModeReqBodySwitchMode::Fixed, None),
            DisplayMode::FollowSpeaker => (RestSwitchModeReqBodySwitchMode::Vas, Some(false)),
            DisplayMode::FollowSpeakerMultiPicture => {
                (RestSwitchModeReqBodySwitchMode::Vas, Some(true))
            }
        };
        let body = multi_picture
            .map(switch)
            .transpose()
            .map(|image_type| RestSwitchModeReqBody {
                switch_mode,
                image_type,
            });
        self.run(&SWITCH_MODE, body.as_ref(), |api, body| {
            api.switch_mode(self.id(), body)
        })
        .await
    }

    /// Sets the multi-picture (checked when it was built). The seven standard layouts (one to four, six, nine or sixteen pictures)
    /// without a grid go through SetMultiPicture, the rest (other arrangements, a grid,
    /// save-only) through SetCustomMultiPicture. A participant who is not in the
    /// meeting is the service's refusal ([`crate::Refusal::ParticipantNotInMeeting`]).
    pub async fn set_multi_picture(&self, picture: &MultiPicture) -> Result<(), Error> {
        match &picture.manual {
            Some(manual) if !manual.is_standard() => self.set_custom_multi_picture(manual).await,
            manual => {
                let manual = manual.as_ref();
                let body = switch(manual.is_some()).and_then(|manual_set| {
                    Ok(RestMixedPictureBody {
                        manual_set,
                        image_type: manual
                            .map(|m| m.layout.to_string().parse())
                            .transpose()
                            .map_err(|_| "not a standard layout".to_owned())?,
                        subscriber_in_pics: manual
                            .map(|m| subscribers(&m.pictures))
                            .unwrap_or_default(),
                        switch_time: manual.and_then(|m| m.rotate_every_s),
                    })
                });
                self.run(&SET_MULTI_PICTURE, body.as_ref(), |api, body| {
                    api.set_multi_picture(self.id(), body)
                })
                .await
            }
        }
    }

    async fn set_custom_multi_picture(&self, manual: &Manual) -> Result<(), Error> {
        let body = switch(true).and_then(|manual_set| {
            Ok(RestCustomMultiPictureBody {
                manual_set,
                image_type: Some(
                    manual
                        .layout
                        .to_string()
                        .parse()
                        .map_err(|_| "not a layout".to_owned())?,
                ),
                pic_layout_info: manual.grid.as_ref().map(|grid| PicLayoutInfo {
                    x: Some(grid.across.into()),
                    y: Some(grid.down.into()),
                    sub_pic_layout_info_list: (1..)
                        .zip(&grid.cells)
                        .map(|(id, c)| SubPicLayoutInfo {
                            id: Some(id),
                            left: Some(c.left.into()),
                            top: Some(c.top.into()),
                            x_size: Some(c.width.into()),
                            y_size: Some(c.height.into()),
                        })
                        .collect(),
                }),
                subscriber_in_pics: subscribers(&manual.pictures),
                switch_time: manual.rotate_every_s,
                multi_pic_save_only: Some(manual.save_only),
            })
        });
        self.run(&SET_CUSTOM_MULTI_PICTURE, body.as_ref(), |api, body| {
            api.set_custom_multi_picture(self.id(), body)
        })
        .await
    }

    /// Saves a multi-picture set by hand under `name` (list them with
    /// [`Conference::layouts`]).
    pub async fn save_layout(&self, name: &str, picture: &MultiPicture) -> Result<(), Error> {
        self.save(None, name, picture).await
    }

    /// Replaces the saved layout `uuid`. An unknown UUID is the service's refusal
    /// ([`crate::Refusal::UnknownLayout`]).
    pub async fn replace_layout(
        &self,
        uuid: &str,
        name: &str,
        picture: &MultiPicture,
    ) -> Result<(), Error> {
        self.save(Some(uuid), name, picture).await
    }

    async fn save(
        &self,
        uuid: Option<&str>,
        name: &str,
        picture: &MultiPicture,
    ) -> Result<(), Error> {
        let body = (|| {
            if name.trim().is_empty() {
                return Err("a saved layout needs a name".to_owned());
            }
            if let Some(problem) = uuid.and_then(|u| id_problem("layout uuid", u)) {
                return Err(problem);
            }
            let Some(manual) = &picture.manual else {
                return Err("only a multi-picture set by hand can be saved".to_owned());
            };
            if manual.grid.is_some() {
                return Err("a saved layout has no grid of its own".to_owned());
            }
            Ok(RestPicLayoutBody {
                rest_pic_layout: RestPicLayout {
                    switch_time: manual.rotate_every_s,
                    pic_num: i32::try_from(manual.layout.capacity()).ok(),
                    lay_out_name: Some(name.to_owned()),
                    image_type: Some(manual.layout.to_string()),
                    uuid: uuid.map(str::to_owned),
                    subscriber_in_pics: (1..)
                        .zip(&manual.pictures)
                        .map(|(index, p)| PicInfoNotify {
                            index: Some(index),
                            id: p.participants.clone(),
                            share: switch(p.shared_stream).ok(),
                        })
                        .collect(),
                },
            })
        })();
        self.run(&SAVE_LAYOUT, body.as_ref(), |api, body| {
            api.save_layout(self.id(), body)
        })
        .await
    }

    /// The layouts saved for this meeting.
    pub async fn layouts(&self) -> Result<Vec<SavedLayout>, Error> {
        let answer = self
            .run(&SHOW_LAYOUT, NO_INPUT, |api, ()| api.show_layout(self.id()))
            .await?;
        Ok(answer
            .pic_layouts
            .into_iter()
            .map(|l| SavedLayout {
                uuid: l.uuid.unwrap_or_default(),
                name: l.lay_out_name,
                layout: l.image_type.and_then(|t| t.parse().ok()),
                pictures: l
                    .subscriber_in_pics
                    .into_iter()
                    .map(|p| Picture {
                        participants: p.id,
                        shared_stream: p.share.is_some_and(|s| *s == 1),
                    })
                    .collect(),
                rotate_every: l
                    .switch_time
                    .and_then(|s| u64::try_from(s).ok())
                    .map(Duration::from_secs),
            })
            .collect())
    }

    /// Deletes the saved layout `uuid`. An unknown UUID is the service's refusal
    /// ([`crate::Refusal::UnknownLayout`]); like ending a meeting, a delete that may have
    /// been applied is not repeated unless the retry policy says so.
    pub async fn delete_layout(&self, uuid: &str) -> Result<(), Error> {
        let uuid =
            id_problem("layout uuid", uuid).map_or_else(|| Ok(LayoutId(uuid.to_owned())), Err);
        self.run(&DELETE_LAYOUT, uuid.as_ref(), |api, uuid| {
            api.delete_layout(self.id(), uuid)
        })
        .await
    }
}

impl Participant<'_> {
    /// This professional terminal watches participant `watched`. A participant who is
    /// not in the meeting is the service's refusal
    /// ([`crate::Refusal::ParticipantNotInMeeting`]).
    pub async fn watch(&self, watched: &str) -> Result<(), Error> {
        let body = match id_problem("watched participant id", watched) {
            Some(problem) => Err(problem),
            None => 2
                .try_into()
                .map_err(|_| "not a view type".to_owned())
                .map(|view_type| RestParticipantViewReqBody {
                    view_type,
                    participant_id: watched.to_owned(),
                }),
        };
        self.run(&SET_PARTICIPANT_VIEW, body.as_ref(), |api, body| {
            api.set_participant_view(self.conference().id(), self.wire_id(), body)
        })
        .await
    }
}
