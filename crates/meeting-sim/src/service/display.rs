//! Views, the multi-picture and saved layouts, with the control token.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    PicInfoNotify, RestChairViewReqBody, RestCustomMultiPictureBody, RestMixedPictureBody,
    RestParticipantViewReqBody, RestPicLayout, RestPicLayoutBody, RestSwitchModeReqBody,
    RestSwitchModeReqBodySwitchMode, ShowLayoutResponse, SubscriberInPic,
};

use super::{ApiResult, Authorized, Controlled, Done, Route, required_query};
use crate::Shared;
use crate::errors::ApiError;
use crate::world::{Cell, DisplayMode, Grid, HostView, MultiPicture, Picture, SavedLayout};

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::SET_HOST_VIEW,
        handler: |m| on(m, host_view),
    },
    Route {
        operation: &operations::SET_PARTICIPANT_VIEW,
        handler: |m| on(m, participant_view),
    },
    Route {
        operation: &operations::SET_MULTI_PICTURE,
        handler: |m| on(m, multi_picture),
    },
    Route {
        operation: &operations::SET_CUSTOM_MULTI_PICTURE,
        handler: |m| on(m, custom_multi_picture),
    },
    Route {
        operation: &operations::SWITCH_MODE,
        handler: |m| on(m, switch_mode),
    },
    Route {
        operation: &operations::SAVE_LAYOUT,
        handler: |m| on(m, save_layout),
    },
    Route {
        operation: &operations::SHOW_LAYOUT,
        handler: |m| on(m, show_layouts),
    },
    Route {
        operation: &operations::DELETE_LAYOUT,
        handler: |m| on(m, delete_layout),
    },
];

async fn host_view(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestChairViewReqBody>,
) -> ApiResult<Done> {
    let body = &request.body;
    let view = match *body.view_type {
        0 if body.status.as_deref() == Some(&0) => HostView::Default,
        0 if body.status.is_none() => {
            return Err(ApiError::bad_request("status is required to rotate"));
        }
        0 => HostView::Rotating {
            every_s: body.switch_time.unwrap_or(10),
        },
        1 => HostView::MultiPicture,
        _ => match body.participant_id.as_deref().map(str::trim) {
            Some(pid) if !pid.is_empty() => HostView::Participant(pid.to_owned()),
            _ => {
                return Err(ApiError::bad_request(
                    "participantID is required (viewType 2)",
                ));
            }
        },
    };
    shared.world().set_host_view(&request.id, view)?;
    Ok(Done)
}

async fn participant_view(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestParticipantViewReqBody>,
) -> ApiResult<Done> {
    let viewer = required_query(&request.query, "participantID")?;
    shared
        .world()
        .set_participant_view(&request.id, viewer, &request.body.participant_id)?;
    Ok(Done)
}

fn pictures(from: &[SubscriberInPic]) -> Vec<Picture> {
    from.iter()
        .map(|p| Picture {
            index: p
                .index
                .map_or(1, |i| i32::try_from(i.get()).unwrap_or(i32::MAX)),
            participants: p.subscriber.clone(),
            assist_stream: p.is_assist_stream.as_deref() == Some(&1),
        })
        .collect()
}

/// A picture set by hand needs its layout; `None` when the service composes it.
fn manual(
    manual: bool,
    layout: Option<String>,
    from: &[SubscriberInPic],
    switch_s: Option<i32>,
) -> ApiResult<Option<MultiPicture>> {
    if !manual {
        return Ok(None);
    }
    let layout =
        layout.ok_or_else(|| ApiError::bad_request("imageType is required (manualSet 1)"))?;
    if from.is_empty() {
        return Err(ApiError::bad_request(
            "subscriberInPics is required (manualSet 1)",
        ));
    }
    Ok(Some(MultiPicture {
        layout,
        pictures: pictures(from),
        switch_s,
        grid: None,
        applied: true,
    }))
}

async fn multi_picture(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestMixedPictureBody>,
) -> ApiResult<Done> {
    let body = &request.body;
    let picture = manual(
        *body.manual_set == 1,
        body.image_type.map(|t| t.to_string()),
        &body.subscriber_in_pics,
        body.switch_time,
    )?;
    shared.world().set_multi_picture(&request.id, picture)?;
    Ok(Done)
}

async fn custom_multi_picture(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestCustomMultiPictureBody>,
) -> ApiResult<Done> {
    let body = &request.body;
    let mut picture = manual(
        *body.manual_set == 1,
        body.image_type.map(|t| t.to_string()),
        &body.subscriber_in_pics,
        body.switch_time,
    )?;
    if let Some(p) = &mut picture {
        p.applied = body.multi_pic_save_only != Some(true);
        p.grid = body.pic_layout_info.as_ref().map(|g| Grid {
            across: g.x.unwrap_or(0),
            down: g.y.unwrap_or(0),
            cells: g
                .sub_pic_layout_info_list
                .iter()
                .map(|c| Cell {
                    id: c.id.unwrap_or(0),
                    left: c.left.unwrap_or(0),
                    top: c.top.unwrap_or(0),
                    width: c.x_size.unwrap_or(0),
                    height: c.y_size.unwrap_or(0),
                })
                .collect(),
        });
    }
    shared.world().set_multi_picture(&request.id, picture)?;
    Ok(Done)
}

async fn switch_mode(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestSwitchModeReqBody>,
) -> ApiResult<Done> {
    let mode = match request.body.switch_mode {
        RestSwitchModeReqBodySwitchMode::Fixed => DisplayMode::Fixed,
        RestSwitchModeReqBodySwitchMode::Vas => DisplayMode::VoiceActivated {
            multi_picture: request.body.image_type.as_deref() == Some(&1),
        },
    };
    shared.world().set_display_mode(&request.id, mode)?;
    Ok(Done)
}

async fn save_layout(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestPicLayoutBody>,
) -> ApiResult<Done> {
    let layout = &request.body.rest_pic_layout;
    let saved = SavedLayout {
        uuid: String::new(),
        name: layout.lay_out_name.clone().unwrap_or_default(),
        layout: layout
            .image_type
            .clone()
            .ok_or_else(|| ApiError::bad_request("imageType is required"))?,
        switch_s: layout.switch_time,
        pictures: layout
            .subscriber_in_pics
            .iter()
            .map(|p| Picture {
                index: p.index.unwrap_or(1),
                participants: p.id.clone(),
                assist_stream: p.share.as_deref() == Some(&1),
            })
            .collect(),
    };
    let uuid = layout.uuid.as_deref().filter(|u| !u.trim().is_empty());
    shared.world().save_layout(&request.id, uuid, saved)?;
    Ok(Done)
}

async fn show_layouts(
    State(shared): State<Arc<Shared>>,
    request: Authorized,
) -> ApiResult<Json<ShowLayoutResponse>> {
    let layouts = shared.world().saved_layouts(&request.id)?;
    let pic_layouts = layouts
        .into_iter()
        .map(|l| RestPicLayout {
            switch_time: l.switch_s,
            pic_num: i32::try_from(l.pictures.len()).ok(),
            lay_out_name: Some(l.name),
            image_type: Some(l.layout),
            uuid: Some(l.uuid),
            subscriber_in_pics: l
                .pictures
                .into_iter()
                .map(|p| PicInfoNotify {
                    index: Some(p.index),
                    id: p.participants,
                    share: i32::from(p.assist_stream).try_into().ok(),
                })
                .collect(),
        })
        .collect();
    Ok(Json(ShowLayoutResponse {
        return_code: Some(0),
        return_desc: Some("Success".to_owned()),
        pic_layouts,
    }))
}

async fn delete_layout(State(shared): State<Arc<Shared>>, request: Authorized) -> ApiResult<Done> {
    let uuid = required_query(&request.query, "uuID")?;
    shared.world().delete_layout(&request.id, uuid)?;
    Ok(Done)
}
