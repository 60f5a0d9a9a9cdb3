//! Simultaneous interpretation, with the control token.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::on;
use meeting_api::operations;
use meeting_api::types::{
    InterpreterGroupInfoGroupType, RestSetAttendeeLanChannelBody, RestSetInterpreterGroupBody,
    RestSimultaneousInterpretationBody,
};

use super::{ApiResult, Controlled, Done, Route};
use crate::Shared;
use crate::errors::ApiError;
use crate::world::{Interpreter, InterpreterGroup, LanguageChannel};

/// This family's operations and their handlers.
pub(super) static ROUTES: &[Route] = &[
    Route {
        operation: &operations::SET_INTERPRETER_GROUP,
        handler: |m| on(m, interpreter_groups),
    },
    Route {
        operation: &operations::SET_ATTENDEE_LAN_CHANNEL,
        handler: |m| on(m, language_channels),
    },
    Route {
        operation: &operations::RESUME_SIMULTANEOUS_INTERPRETATION,
        handler: |m| on(m, interpretation),
    },
];

async fn interpreter_groups(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestSetInterpreterGroupBody>,
) -> ApiResult<Done> {
    let groups = request
        .body
        .interpreter_groups
        .iter()
        .map(|g| InterpreterGroup {
            id: g.group_id.clone(),
            name: g.group_name.clone(),
            ai: g.group_type == Some(InterpreterGroupInfoGroupType::Ai),
            languages: [
                g.first_language.clone().unwrap_or_default(),
                g.second_language.clone().unwrap_or_default(),
            ],
            interpreters: g
                .interpreters
                .iter()
                .map(|i| Interpreter {
                    account: i.login_account.clone(),
                    user_id: i.user_id.clone(),
                    number: i.call_number.clone(),
                    name: i.name.clone(),
                })
                .collect(),
        })
        .collect();
    shared.world().set_interpreter_groups(&request.id, groups)?;
    Ok(Done)
}

async fn language_channels(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestSetAttendeeLanChannelBody>,
) -> ApiResult<Done> {
    let body = &request.body;
    if body.participant_i_ds.is_empty() {
        return Err(ApiError::bad_request("participantIDs must name someone"));
    }
    let listen = body.listen_lan_channel.clone().unwrap_or_default();
    // Ordinary participants listen and speak in one channel.
    let speak = body
        .speak_lan_channel
        .clone()
        .unwrap_or_else(|| listen.clone());
    let channel = LanguageChannel {
        listen,
        speak,
        original_voice: body.include_original_voice.as_deref() == Some(&1),
    };
    shared
        .world()
        .set_language_channels(&request.id, &body.participant_i_ds, channel)?;
    Ok(Done)
}

async fn interpretation(
    State(shared): State<Arc<Shared>>,
    request: Controlled<RestSimultaneousInterpretationBody>,
) -> ApiResult<Done> {
    shared
        .world()
        .set_interpretation_running(&request.id, *request.body.simultaneous_interpretation == 1)?;
    Ok(Done)
}
