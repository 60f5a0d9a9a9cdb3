"""The official SDK as the oracle of what goes on the wire.

Drives the official Python SDK (huaweicloudsdkmeeting, pinned in .ci/requirements.txt)
through every operation of the meeting-control workflow:

  official_sdk.py record DIR   against a loopback recorder (HTTPS, a throwaway
                               certificate made with openssl): writes one JSON fixture
                               per operation into DIR (method, path, query, the API's
                               headers, JSON body), with tokens, nonce, expireTime and
                               signature replaced by placeholders
  official_sdk.py check URL    against a running meeting-sim (`--tls`, seeded with
                               examples/seed.json): every call the simulator serves
                               succeeds and its answer decodes in the SDK's models

The Rust tests compare the wrapper's requests with the fixtures.
"""
import email.parser
import email.policy
import hashlib
import hmac
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import huaweicloudsdkmeeting.v1 as sdk_models
import urllib3
import yaml
from huaweicloudsdkcore.http.formdata import FormFile
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmeeting.v1 import (
    AllowWaitingParticipantRequest,
    CancelMeetingRequest,
    CancelRecurringMeetingRequest,
    CancelRecurringSubMeetingRequest,
    UpdateRecurringSubMeetingRequest,
    UserQosReqInfo,
    RestScheduleCycleConfDTO,
    CreateConfTokenRequest,
    CreateRecurringMeetingRequest,
    CycleParams,
    DelAttendInfo,
    DeleteAttendeesRequest,
    DeleteLayoutRequest,
    DeleteWebHookConfigRequest,
    DeleteRecordingsRequest,
    HandRequest,
    InterpreterGroupInfo,
    InterpreterInfo,
    ListNetworkQualityRequest,
    MeetingClient,
    PicInfoNotify,
    PicLayoutInfo,
    RenameParticipantRequest,
    RestAllowWaitingParticipantReqBody,
    RestBulkDelAttendReqBody,
    RestCancelSingleRecordCycleConfListReqBody,
    RestChairTokenReqBody,
    RestCustomMultiPictureBody,
    RestHandsUpReqBody,
    RestMixedPictureBody,
    RestParticipantViewReqBody,
    RestPicLayout,
    RestPicLayoutBody,
    RestQosRequestDTO,
    RestRenamePartReqBody,
    RestScheduleConfDTO,
    RestSetInterpreterGroupBody,
    RestSubscriberInPic,
    RestSwitchModeReqBody,
    SaveLayoutRequest,
    SearchAttendanceRecordsOfHisMeetingRequest,
    SearchHisMeetingsRequest,
    SearchMeetingsRequest,
    SearchOnlineMeetingsRequest,
    SearchQosHistoryMeetingsRequest,
    SearchQosOnlineMeetingsRequest,
    SearchQosParticipantDetailRequest,
    SearchQosParticipantsRequest,
    SearchRecordingsRequest,
    SearchStatisticConferenceInfoRequest,
    SearchStatisticConferenceParticipantRequest,
    SearchStatisticResourceInfoRequest,
    SearchStatisticUserInfoRequest,
    SetPacketThresholdData,
    SetQosThresholdReq,
    SetQosThresholdRequest,
    SetThresholdData,
    SetCustomMultiPictureRequest,
    SetInterpreterGroupRequest,
    SetMultiPictureRequest,
    SetParticipantViewRequest,
    SetRoleRequest,
    SetWebHookConfigRequest,
    ShowHisMeetingDetailRequest,
    ShowLayoutRequest,
    ShowMeetingDetailRequest,
    ListOnlineConfAttendeeRequest,
    ShowRecordInfoRequest,
    RecordInfoReq,
    CreateAuthRandomRequest,
    SearchCtlRecordsOfHisMeetingRequest,
    ShowOnlineMeetingDetailRequest,
    ShowRecordingDetailRequest,
    ShowRecordingFileDownloadUrlsRequest,
    ShowWebHookConfigRequest,
    SubPicLayoutInfo,
    SubscriberInPic,
    SwitchModeRequest,
    UpdateMeetingRequest,
    UpdateRecurringMeetingRequest,
    UpdateWebHookConfigStatusRequest,
    WebHookConfigRequest,
    CreateWebinarRequest,
    DeleteWebinarRequest,
    ListHistoryWebinarsRequest,
    ListOngoingWebinarsRequest,
    ListUpComingWebinarsRequest,
    OpenAttendeeEntity,
    OpenEditConfReq,
    OpenRoomSettingReq,
    OpenScheduleConfReq,
    ShowRoomSettingRequest,
    ShowWebinarRequest,
    UpdateRoomSettingRequest,
    UpdateWebinarRequest,
    UploadFileRequest,
    UploadFileRequestBody,
)
from huaweicloudsdkmeeting.v1.meeting_credentials import (
    AuthTypeEnum,
    MeetingCredentials,
    TenantSceneEnum,
)

CONF = "914083136"
ONGOING = "900244663"  # still in progress when the management calls run
HOST_PASSWORD = "654321"
TERMINAL = "6a1acfe867f211eaa1cd59f41ff47e04"
LAPTOP = "f131536e21ff11eab12735e1cddf6d01"
INTERPRETER = "6e72b5c3b8654d9e8b1a0c4f1d2e3a4b"
LAYOUT_UUID = "<layout-uuid>"
CONF_UUID = "<conf-uuid>"
# 1970-01-01 to 2099-12-31 (UTC), both days included.
HISTORY_FROM, HISTORY_TO = 0, 4102444799999
ACCOUNT, PASSWORD = "meeting_admin", "Admin-pass-2026"
APP_ID, APP_KEY = "6d8a1e1b2e4c4a5f9b0c7d3e2f1a0b9c", "sim-app-key-single"

# The event push: the enterprise, the subscriber, and the URL the recording names (the
# check runs a receiver of its own and names that).
CORP = "sim-corp"
SUBSCRIBER_ID, SUBSCRIBER_KEY = "12345678", "sim-webhook-key"
RECORDED_URL = "https://127.0.0.1:8443/openapi/meetingevent"
CONFIG_ID = "b958adc3639b11ecb310e97279c39e66"

# Placeholders for what differs from run to run or is a secret.
ACCESS_TOKEN = "<access-token>"
CONTROL_TOKEN = "<control-token>"
# The security schemes whose value is the meeting control token.
CONTROL_SCHEMES = ("conferenceToken", "qualityToken")
# The other secrets the oracle sends, by security scheme.
SECRETS = {"hostPassword": HOST_PASSWORD}

# The operations, by the request the SDK sends: (method, path) -> operationId, read from
# the spec (the single source of truth).
SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "openapi", "meeting.yaml")


with open(SPEC) as f:
    SPEC_DOC = yaml.safe_load(f)

# operationId -> the spec's operation object, in the spec's order.
SPEC_OPERATIONS = {
    operation["operationId"]: operation
    for item in SPEC_DOC["paths"].values()
    for operation in item.values()
    if isinstance(operation, dict) and "operationId" in operation
}

OPERATIONS = {
    (method.upper(), path): operation["operationId"]
    for path, item in SPEC_DOC["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict) and "operationId" in operation
}


def resolved(node):
    """`node`, or what its `$ref` (`#/components/...`) names."""
    while isinstance(node, dict) and "$ref" in node:
        target = SPEC_DOC
        for key in node["$ref"].lstrip("#/").split("/"):
            target = target[key]
        node = target
    return node


def sdk_model(type_name, value):
    """A JSON value of the spec's examples as the SDK's model `type_name` (`list[...]`,
    a model class, or a plain type)."""
    if type_name.startswith("list["):
        return [sdk_model(type_name[5:-1], item) for item in value]
    model = getattr(sdk_models, type_name, None)
    if not isinstance(value, dict) or not hasattr(model, "attribute_map"):
        return value
    names = {wire: attribute for attribute, wire in model.attribute_map.items()}
    unknown = sorted(set(value) - set(names))
    if unknown:
        sys.exit(f"the spec's example has fields the SDK's {type_name} lacks: {unknown}")
    return model(**{names[key]: sdk_model(model.openapi_types[names[key]], item)
                    for key, item in value.items()})


def from_spec(sdk, name, token):
    """Sends operation `name` as the SDK builds it from the spec's examples: each
    parameter's `example`, the body's `example`, and the secrets its `security` names,
    each under the attribute the SDK's request maps to that wire name. An operation of the
    spec that no call below names is sent this way, so adding one needs no code here."""
    operation = SPEC_OPERATIONS[name]
    request = getattr(sdk_models, f"{name}Request")
    attribute = {wire.lower(): python for python, wire in request.attribute_map.items()}
    arguments = {}
    for parameter in map(resolved, operation.get("parameters", [])):
        example = parameter.get("example", parameter.get("schema", {}).get("example"))
        if example is not None:
            arguments[attribute[parameter["name"].lower()]] = example
        elif parameter.get("required"):
            sys.exit(f"{name}: the spec's parameter {parameter['name']} has no example")
    # The first way of authorizing it; the access token is the SDK client's own.
    for scheme in (operation.get("security") or [{}])[0]:
        header = SPEC_DOC["components"]["securitySchemes"][scheme].get("name", "").lower()
        value = token if scheme in CONTROL_SCHEMES else SECRETS.get(scheme)
        if value is not None and header in attribute:
            arguments[attribute[header]] = value
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is not None:
        if "example" not in content:
            sys.exit(f"{name}: the spec's request body has no example")
        arguments["body"] = sdk_model(request.openapi_types["body"], content["example"])
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return getattr(sdk, snake)(request(**arguments))


# Sent outside the call lists: the logins and the control token.
SENT_APART = {"AuthenticateAccount", "AuthenticateAppId", "CreateConfToken"}


def workflow(sdk, token, hook_url):
    """Every call, in order: the lists' (an operation named alone is built from the spec's
    examples), then the spec's operations that no list names, built from its examples."""
    listed = (control_calls(sdk, token) + management_calls(sdk) + webinar_calls(sdk)
              + webhook_calls(sdk, hook_url))
    calls = [(call, lambda name=call: from_spec(sdk, name, token)) if isinstance(call, str)
             else call for call in listed]
    named = SENT_APART | {name for name, _ in calls}
    return calls + [(name, lambda name=name: from_spec(sdk, name, token))
                    for name in SPEC_OPERATIONS if name not in named]


def operation_of(method, path):
    """The operation a request is, its path's parameters filled in: the spec's own path
    first (`/conferences/upcoming` before `/conferences/{conference_id}`)."""
    exact = OPERATIONS.get((method, path))
    if exact:
        return exact
    sent = path.split("/")
    for (m, template), operation in OPERATIONS.items():
        wanted = template.split("/")
        if m == method and "{" in template and len(wanted) == len(sent) and all(
                w == s or (w.startswith("{") and s) for w, s in zip(wanted, sent)):
            return operation
    return "unknown"

# The headers that belong to the API (the rest is the HTTP library's).
API_HEADERS = ("authorization", "conftoken", "content-type", "x-")


def client(url, credentials):
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True  # the recorder's and the simulator's own CAs
    return (
        MeetingClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoint(url)
        .build()
    )


def account():
    return MeetingCredentials(ACCOUNT, PASSWORD)


def app_id(user_id=None):
    credentials = (
        MeetingCredentials()
        .with_auth_type_enum(AuthTypeEnum.APP_ID)
        .with_tenant_scene_enum(TenantSceneEnum.SINGLE_TENANT)
        .with_app_id(APP_ID)
        .with_app_key(APP_KEY)
    )
    return credentials.with_user_id(user_id) if user_id else credentials


def saved_layout(sdk, token):
    """The UUID of the first layout ShowLayout lists (the placeholder when recording)."""
    layouts = sdk.show_layout(ShowLayoutRequest(
        conference_id=CONF, x_conference_authorization=token)).pic_layouts or []
    return layouts[0].uuid if layouts else LAYOUT_UUID


def past_meeting(sdk):
    """The UUID of CONF in history (stopped by the control calls; the placeholder when
    recording)."""
    found = sdk.search_his_meetings(SearchHisMeetingsRequest(
        offset=0, limit=1, query_all=True, search_key=CONF)).data or []
    return found[0].conf_uuid if found else CONF_UUID


# The series the recurring calls work on: its ID and an occurrence, from the answers
# (placeholders when recording).
SERIES = {"id": "<series-id>", "occurrence": "<occurrence-id>"}


def weekly(subject, until):
    """Mondays and Wednesdays at 01:00 UTC, from 2030-01-07 to `until`."""
    return RestScheduleConfDTO(
        start_time="2030-01-07 01:00", length=60, subject=subject, media_types="Voice,Video",
        cycle_params=CycleParams(start_date="2030-01-07", end_date=until, cycle="Week",
                                 interval=1, point=[1, 3]))


def remember_series(answer):
    for meeting in answer.body or []:
        SERIES["id"] = meeting.conference_id
        for occurrence in meeting.sub_confs or []:
            SERIES["occurrence"] = occurrence.cycle_sub_conf_id
            break
    return answer


def control_calls(sdk, token):
    """Every call that takes the control token, in the workflow's order. An operation
    named alone is built from the spec's examples (`from_spec`)."""
    calls = [
        "ShowRealTimeInfoOfMeeting",
        ("ListNetworkQuality", lambda: sdk.list_network_quality(ListNetworkQualityRequest(
            conferenceid=CONF, conf_token=token,
            body=RestQosRequestDTO(users=[UserQosReqInfo(pid=TERMINAL), UserQosReqInfo(pid=LAPTOP)])))),
        "LockMeeting",
        "UpdateStartedConfConfig",
        "LockView",
        ("SetRole", lambda: sdk.set_role(SetRoleRequest(
            conference_id=CONF, participant_id=TERMINAL, x_conference_authorization=token,
            body=RestChairTokenReqBody(apply_chair=1, chairman_pwd=HOST_PASSWORD)))),
        "SetCohost",
        ("RenameParticipant", lambda: sdk.rename_participant(RenameParticipantRequest(
            conference_id=CONF, x_conference_authorization=token,
            body=RestRenamePartReqBody(participant_id=LAPTOP, new_name="Carol's laptop")))),
        ("Hand", lambda: sdk.hand(HandRequest(
            conference_id=CONF, participant_id=LAPTOP, x_conference_authorization=token,
            body=RestHandsUpReqBody(hands_state=1)))),
        "BatchHand",
        "RollcallParticipant",
        "BroadcastParticipant",
        "CancelBroadcast",
        "InviteShare",
        "InviteOperateVideo",
        "AllowClientRecord",
        # The waiting room: out and back in, one by one, then in a batch and all at once.
        "MoveToWaitingRoom",
        ("AllowWaitingParticipant", lambda: sdk.allow_waiting_participant(
            AllowWaitingParticipantRequest(
                conference_id=CONF, x_conference_authorization=token,
                body=RestAllowWaitingParticipantReqBody(participant_id=LAPTOP, allow_all=False)))),
        "BatchMoveToWaitingRoom",
        ("AllowWaitingParticipant", lambda: sdk.allow_waiting_participant(
            AllowWaitingParticipantRequest(
                conference_id=CONF, x_conference_authorization=token,
                body=RestAllowWaitingParticipantReqBody(allow_all=True)))),
        "Record",
        "SetMmrRecord",
        "Live",
        "SetMmrLive",
        "PauseConference",
        "SetHostView",
        ("SetParticipantView", lambda: sdk.set_participant_view(SetParticipantViewRequest(
            conference_id=CONF, participant_id=TERMINAL, x_conference_authorization=token,
            body=RestParticipantViewReqBody(view_type=2, participant_id=LAPTOP)))),
        ("SetMultiPicture", lambda: sdk.set_multi_picture(SetMultiPictureRequest(
            conference_id=CONF, x_conference_authorization=token,
            body=RestMixedPictureBody(manual_set=1, image_type="Two", switch_time=10, subscriber_in_pics=[
                SubscriberInPic(index=1, subscriber=[LAPTOP], is_assist_stream=0),
                SubscriberInPic(index=2, subscriber=[TERMINAL], is_assist_stream=0)])))),
        ("SetCustomMultiPicture", lambda: sdk.set_custom_multi_picture(SetCustomMultiPictureRequest(
            conference_id=CONF, x_conference_authorization=token,
            body=RestCustomMultiPictureBody(
                manual_set=1, image_type="Two", switch_time=10, multi_pic_save_only=False,
                pic_layout_info=PicLayoutInfo(x=2, y=1, sub_pic_layout_info_list=[
                    SubPicLayoutInfo(id=1, left=0, top=0, x_size=1, y_size=1),
                    SubPicLayoutInfo(id=2, left=1, top=0, x_size=1, y_size=1)]),
                subscriber_in_pics=[
                    RestSubscriberInPic(index=1, subscriber=[LAPTOP], is_assist_stream=0),
                    RestSubscriberInPic(index=2, subscriber=[TERMINAL], is_assist_stream=0)])))),
        ("SwitchMode", lambda: sdk.switch_mode(SwitchModeRequest(
            conference_id=CONF, x_conference_authorization=token,
            body=RestSwitchModeReqBody(switch_mode="VAS", image_type=1)))),
        ("SaveLayout", lambda: sdk.save_layout(SaveLayoutRequest(
            conference_id=CONF, x_conference_authorization=token,
            body=RestPicLayoutBody(rest_pic_layout=RestPicLayout(
                lay_out_name="Panel", image_type="Two", pic_num=2, switch_time=10,
                subscriber_in_pics=[PicInfoNotify(index=1, id=[LAPTOP], share=0),
                                    PicInfoNotify(index=2, id=[TERMINAL], share=0)]))))),
        "ShowLayout",
        ("DeleteLayout", lambda: sdk.delete_layout(DeleteLayoutRequest(
            conference_id=CONF, uu_id=saved_layout(sdk, token), x_conference_authorization=token))),
        ("SetInterpreterGroup", lambda: sdk.set_interpreter_group(SetInterpreterGroupRequest(
            conference_id=CONF, x_conference_authorization=token,
            body=RestSetInterpreterGroupBody(interpreter_groups=[InterpreterGroupInfo(
                group_id="1", group_name="Chinese-English", group_type="MANUAL",
                first_language="zh", second_language="en",
                interpreters=[InterpreterInfo(user_id=INTERPRETER, name="Alice",
                                              interpreter_type="MANUAL")])])))),
        "SetAttendeeLanChannel",
        "ResumeSimultaneousInterpretation",
        "AllowAudienceJoin",
        "AllowGuestUnmute",
        "MuteMeeting",
        "MuteParticipant",
        "StartMeeting",
        "ShowRegionInfoOfMeeting",
        "CheckCallNumberInConf",
        ("CreateAuthRandom", lambda: sdk.create_auth_random(CreateAuthRandomRequest(
            conf_id=CONF, guest_waiting=1, x_password=HOST_PASSWORD))),
        "CreateAnonymousAuthRandom",
        "ShowOrgRes",
        "ShowSpRes",
        "ShowConfOrg",
        "InviteWithPwd",
        "InviteParticipant",
        ("DeleteAttendees", lambda: sdk.delete_attendees(DeleteAttendeesRequest(
            conference_id=CONF, x_conference_authorization=token,
            body=RestBulkDelAttendReqBody(bulk_del_attend_info=[DelAttendInfo(number="+8613800000000")])))),
        "HangUp",
        "ProlongMeeting",
        "CreateWebSocketToken",
        "StopMeeting",
    ]
    return calls


def management_calls(sdk):
    return [
        "CreateMeeting",
        ("SearchMeetings", lambda: sdk.search_meetings(SearchMeetingsRequest(
            offset=0, limit=100, query_all=True, search_key="Board", query_conf_mode="ALL",
            sort_type="ASC_StartTIME"))),
        ("SearchOnlineMeetings", lambda: sdk.search_online_meetings(SearchOnlineMeetingsRequest(
            offset=0, limit=100, query_all=True))),
        ("ShowOnlineMeetingDetail", lambda: sdk.show_online_meeting_detail(
            ShowOnlineMeetingDetailRequest(conference_id=ONGOING, offset=0, limit=100))),
        ("ListOnlineConfAttendee", lambda: sdk.list_online_conf_attendee(
            ListOnlineConfAttendeeRequest(conf_id=ONGOING, offset=0, limit=100, search_key="Board"))),
        ("SearchHisMeetings", lambda: sdk.search_his_meetings(SearchHisMeetingsRequest(
            offset=0, limit=100, query_all=True, search_key=CONF, start_date=HISTORY_FROM,
            end_date=HISTORY_TO, sort_type="DSC_StartTIME"))),
        ("ShowHisMeetingDetail", lambda: sdk.show_his_meeting_detail(ShowHisMeetingDetailRequest(
            conf_uuid=past_meeting(sdk), offset=0, limit=100))),
        ("SearchAttendanceRecordsOfHisMeeting", lambda: sdk.search_attendance_records_of_his_meeting(
            SearchAttendanceRecordsOfHisMeetingRequest(conf_uuid=past_meeting(sdk), offset=0, limit=100))),
        ("SearchCtlRecordsOfHisMeeting", lambda: sdk.search_ctl_records_of_his_meeting(
            SearchCtlRecordsOfHisMeetingRequest(conf_uuid=past_meeting(sdk), offset=0, limit=100))),
        # The quality metrics: the audio thresholds, the meetings in progress and past,
        # the past meeting's participants and the terminal's audio series.
        ("SetQosThreshold", lambda: sdk.set_qos_threshold(SetQosThresholdRequest(
            threshold_type="AUDIO", body=SetQosThresholdReq(
                latency=SetThresholdData(receiving=400, sending=400),
                jitter=SetThresholdData(receiving=100, sending=100),
                packet_loss=SetPacketThresholdData(receiving=5, sending=5))))),
        "ShowQosThreshold",
        ("SearchQosOnlineMeetings", lambda: sdk.search_qos_online_meetings(
            SearchQosOnlineMeetingsRequest(offset=0, limit=100, search_key=ONGOING))),
        ("SearchQosHistoryMeetings", lambda: sdk.search_qos_history_meetings(
            SearchQosHistoryMeetingsRequest(start_date=HISTORY_FROM, end_date=HISTORY_TO,
                                            offset=0, limit=100))),
        ("SearchQosParticipants", lambda: sdk.search_qos_participants(SearchQosParticipantsRequest(
            conf_uuid=past_meeting(sdk), conf_type="history", offset=0, limit=100))),
        ("SearchQosParticipantDetail", lambda: sdk.search_qos_participant_detail(
            SearchQosParticipantDetailRequest(conf_uuid=past_meeting(sdk), conf_type="history",
                                              participant_id=TERMINAL, qos_type="audio"))),
        # The dashboard: December 2026 per day, and this year per month.
        ("SearchStatisticConferenceInfo", lambda: sdk.search_statistic_conference_info(
            SearchStatisticConferenceInfoRequest(offset=0, limit=100, time_unit="D",
                                                 start_time="2026-12-01", end_time="2026-12-31",
                                                 category="conference_info"))),
        ("SearchStatisticConferenceParticipant", lambda: sdk.search_statistic_conference_participant(
            SearchStatisticConferenceParticipantRequest(offset=0, limit=100, time_unit="D",
                                                        start_time="2026-12-01", end_time="2026-12-31",
                                                        category="user_participate_info"))),
        ("SearchStatisticResourceInfo", lambda: sdk.search_statistic_resource_info(
            SearchStatisticResourceInfoRequest(offset=0, limit=100, time_unit="M",
                                               start_time="2026-01", end_time="2026-12",
                                               category="used_vmr_info"))),
        ("SearchStatisticUserInfo", lambda: sdk.search_statistic_user_info(
            SearchStatisticUserInfoRequest(offset=0, limit=100, time_unit="M",
                                           start_time="2026-01", end_time="2026-12",
                                           category="user_login_info"))),
        ("SearchRecordings", lambda: sdk.search_recordings(SearchRecordingsRequest(
            offset=0, limit=100, query_all=True, search_key=CONF, start_date=HISTORY_FROM,
            end_date=HISTORY_TO, sort_type="ASC_StartTIME"))),
        ("ShowRecordingDetail", lambda: sdk.show_recording_detail(ShowRecordingDetailRequest(
            conf_uuid=past_meeting(sdk)))),
        ("ShowRecordingFileDownloadUrls", lambda: sdk.show_recording_file_download_urls(
            ShowRecordingFileDownloadUrlsRequest(conf_uuid=past_meeting(sdk), offset=0, limit=100))),
        ("ShowRecordInfo", lambda: sdk.show_record_info(ShowRecordInfoRequest(
            body=RecordInfoReq(conf_uuid=past_meeting(sdk), segment_offset=0, segment_limit=100)))),
        ("DeleteRecordings", lambda: sdk.delete_recordings(DeleteRecordingsRequest(
            conf_uui_ds=past_meeting(sdk)))),
        ("UpdateMeeting", lambda: sdk.update_meeting(UpdateMeetingRequest(
            conference_id="914087436", body=RestScheduleConfDTO(
                start_time="2030-01-07 10:00", length=90, subject="Board review (moved)",
                media_types="Voice,Video")))),
        ("CreateRecurringMeeting", lambda: remember_series(sdk.create_recurring_meeting(
            CreateRecurringMeetingRequest(body=weekly("Weekly sync", "2030-01-30"))))),
        ("UpdateRecurringMeeting", lambda: remember_series(sdk.update_recurring_meeting(
            UpdateRecurringMeetingRequest(conference_id=SERIES["id"],
                                          body=weekly("Weekly sync (moved)", "2030-02-27"))))),
        ("UpdateRecurringSubMeeting", lambda: sdk.update_recurring_sub_meeting(
            UpdateRecurringSubMeetingRequest(
                conference_id=SERIES["id"],
                body=RestScheduleCycleConfDTO(
                    cycle_sub_conf_id=SERIES["occurrence"], start_time="2030-01-07 02:00",
                    length=90)))),
        ("CancelRecurringSubMeeting", lambda: sdk.cancel_recurring_sub_meeting(
            CancelRecurringSubMeetingRequest(
                conference_id=SERIES["id"], type=1,
                body=RestCancelSingleRecordCycleConfListReqBody(
                    cycle_sub_conf_i_ds=[SERIES["occurrence"]])))),
        ("CancelRecurringMeeting", lambda: sdk.cancel_recurring_meeting(
            CancelRecurringMeetingRequest(conference_id=SERIES["id"], type=1))),
        "ShowMeetingDetail",
        "CancelMeeting",
    ]


# The webinar the webinar calls work on: its ID from CreateWebinar's answer (the
# placeholder when recording), and the image they upload (a 1×1 PNG).
WEBINAR = {"id": "960000001"}
WEBINAR_ROOM = "ff808081838b4f3f0183a8f4ef6a0201"
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def upload(sdk):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cover.png")
        with open(path, "wb") as image:
            image.write(PNG_1X1)
        file = FormFile(path, "image/png")
        try:
            sdk.upload_file(UploadFileRequest(body=UploadFileRequestBody(file=file)))
        finally:
            file.close()


def webinar_calls(sdk):
    """Schedule a webinar on the seed's webinar room, read and change it and its room
    settings, list the three kinds, upload an image, cancel it."""

    def create():
        answer = sdk.create_webinar(CreateWebinarRequest(body=OpenScheduleConfReq(
            subject="Product launch", start_time="2030-03-02 14:00", duration=90,
            vmr_id=WEBINAR_ROOM, audience_passwd="202603",
            attendees=[OpenAttendeeEntity(user_name="Carol", phone="+8613800000000")])))
        WEBINAR["id"] = answer.conference_id or WEBINAR["id"]

    return [
        ("CreateWebinar", create),
        ("ShowWebinar", lambda: sdk.show_webinar(ShowWebinarRequest(conference_id=WEBINAR["id"]))),
        ("UpdateWebinar", lambda: sdk.update_webinar(UpdateWebinarRequest(body=OpenEditConfReq(
            conference_id=WEBINAR["id"], subject="Product launch (moved)",
            start_time="2030-03-03 14:00", duration=120)))),
        ("ListUpComingWebinars", lambda: sdk.list_up_coming_webinars(ListUpComingWebinarsRequest(
            offset=0, limit=100, search_key="launch", sort_type="ASC_StartTIME"))),
        ("ListOngoingWebinars", lambda: sdk.list_ongoing_webinars(ListOngoingWebinarsRequest(
            offset=0, limit=100, sort_type="ASC_StartTIME"))),
        ("ListHistoryWebinars", lambda: sdk.list_history_webinars(ListHistoryWebinarsRequest(
            offset=0, limit=100, sort_type="DSC_StartTIME", start_time="2026-01-01 00:00",
            end_time="2030-12-31 23:59"))),
        ("UploadFile", lambda: upload(sdk)),
        ("UpdateRoomSetting", lambda: sdk.update_room_setting(UpdateRoomSettingRequest(
            conference_id=WEBINAR["id"], body=OpenRoomSettingReq(
                room_introduce="Our spring launch", show_audience_mode="real_time",
                is_redouble_open="Y", base_audience_count=100, multiple=1.5)))),
        ("ShowRoomSetting", lambda: sdk.show_room_setting(ShowRoomSettingRequest(
            conference_id=WEBINAR["id"]))),
        ("DeleteWebinar", lambda: sdk.delete_webinar(DeleteWebinarRequest(
            conference_id=WEBINAR["id"]))),
    ]


def webhook_calls(sdk, url):
    """Set the event push, read its ID back, enable (the handshake), disable, delete."""
    config = {}

    def show():
        answer = sdk.show_web_hook_config(ShowWebHookConfigRequest(corp_id=CORP))
        config["id"] = answer.id

    return [
        ("SetWebHookConfig", lambda: sdk.set_web_hook_config(SetWebHookConfigRequest(
            body=WebHookConfigRequest(corp_id=CORP, subscriber_id=SUBSCRIBER_ID,
                                      subscriber_key=SUBSCRIBER_KEY, url=url)))),
        ("ShowWebHookConfig", show),
        ("UpdateWebHookConfigStatus", lambda: sdk.update_web_hook_config_status(
            UpdateWebHookConfigStatusRequest(id=config["id"], status=0))),
        ("UpdateWebHookConfigStatus", lambda: sdk.update_web_hook_config_status(
            UpdateWebHookConfigStatusRequest(id=config["id"], status=1))),
        ("DeleteWebHookConfig", lambda: sdk.delete_web_hook_config(
            DeleteWebHookConfigRequest(id=config["id"]))),
    ]


def control_token(sdk):
    answer = sdk.create_conf_token(CreateConfTokenRequest(
        conference_id=CONF, x_password=HOST_PASSWORD, x_login_type=1))
    return answer.data.token


# ---- record ----

class Recorder(BaseHTTPRequestHandler):
    recorded = {}

    def log_message(self, *args):
        pass

    def answer(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        operation = operation_of(self.command, url.path)
        headers = {
            name.lower(): value
            for name, value in self.headers.items()
            if name.lower().startswith(API_HEADERS)
        }
        media = self.headers.get("content-type") or ""
        if media.startswith("multipart/form-data"):
            body = multipart_parts(media, raw)
            headers["content-type"] = "multipart/form-data; boundary=<boundary>"
        else:
            body = json.loads(raw) if raw else None
        Recorder.recorded.setdefault(operation, {
            "operation": operation,
            "method": self.command,
            "path": url.path,
            "query": dict(parse_qsl(url.query, keep_blank_values=True)),
            "headers": mask_headers(operation, headers),
            "body": mask_body(body),
        })
        reply = {
            "AuthenticateAccount": {"accessToken": "stbRECORDED", "validPeriod": 43200},
            "AuthenticateAppId": {"accessToken": "stbRECORDED", "validPeriod": 43200},
            "CreateConfToken": {"httpCode": 200, "data": {"token": "cnrRECORDED", "role": 1}},
            "CreateMeeting": [{"conferenceID": CONF}],
            "CreateWebSocketToken": {"webSocketToken": "wsRECORDED"},
            "CreateWebinar": {"conferenceId": WEBINAR["id"]},
            "ShowWebHookConfig": {"id": CONFIG_ID, "subscriberId": SUBSCRIBER_ID,
                                  "url": RECORDED_URL, "status": 1},
        }.get(operation, {})
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = answer


def multipart_parts(media, raw):
    """A multipart body as the fixtures hold it: each part's name, file name, media
    type and size (not its bytes)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {media}\r\n\r\n".encode() + raw)
    return {"multipart": [
        {
            "name": part.get_param("name", header="content-disposition"),
            "filename": part.get_filename(),
            "content-type": part.get_content_type(),
            "size": len(part.get_payload(decode=True) or b""),
        }
        for part in message.iter_parts()
    ]}


def mask_headers(operation, headers):
    masked = {}
    for name, value in headers.items():
        if name == "x-access-token":
            value = ACCESS_TOKEN
        elif name in ("x-conference-authorization", "conftoken"):
            value = CONTROL_TOKEN
        elif name == "authorization" and operation == "AuthenticateAppId":
            access = value.split("access=", 1)[1]
            value = f"HMAC-SHA256 signature=<signature>,access={access}"
        masked[name] = value
    return masked


def mask_body(body):
    if isinstance(body, dict):
        return {
            key: (f"<{key}>" if key in ("nonce", "expireTime") else mask_body(value))
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [mask_body(item) for item in body]
    return body


def record(out_dir):
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
            check=True, capture_output=True)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"https://127.0.0.1:{server.server_address[1]}"
        sdk = client(url, account())
        token = control_token(sdk)  # logs in first: AuthenticateAccount
        for _, call in workflow(sdk, token, RECORDED_URL):
            call()
        client(url, app_id("third_user_001")).show_meeting_detail(
            ShowMeetingDetailRequest(conference_id=CONF))
        server.shutdown()
    missing = sorted(set(OPERATIONS.values()) - set(Recorder.recorded))
    if missing:
        sys.exit(f"not recorded: {missing}")
    os.makedirs(out_dir, exist_ok=True)
    for operation, fixture in sorted(Recorder.recorded.items()):
        with open(os.path.join(out_dir, f"{operation}.json"), "w") as f:
            json.dump(fixture, f, indent=2, sort_keys=True)
            f.write("\n")
    print(f"wrote {len(Recorder.recorded)} fixtures to {out_dir}")


# ---- check against the simulator ----

class Receiver(BaseHTTPRequestHandler):
    """The enterprise's push receiver, written from the pages: checks the signature
    (HMAC-SHA256 keyed with the subscriber key over appID, timestamp, nonce and the
    eventInfo JSON) and answers the verification handshake with its nonce."""
    pushes = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        push = json.loads(raw)
        event_info = json.dumps(push["eventInfo"], separators=(",", ":"))
        message = f"{push['appID']}{push['timestamp']}{push['nonce']}{event_info}"
        expected = hmac.new(SUBSCRIBER_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()
        if push["appID"] != SUBSCRIBER_ID or not hmac.compare_digest(expected, push["signature"]):
            self.send_response(401)
            self.end_headers()
            return
        event = push["eventInfo"]["event"]
        Receiver.pushes.append(event)
        reply = json.dumps({"event": event, "nonce": push["nonce"]}).encode() \
            if event == "meeting.verify" else b""
        self.send_response(200)
        self.send_header("content-type", "application/json;charset=UTF-8")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

def check(url):
    """Every operation of the spec, through the SDK, on the simulator; the answers decode."""
    sdk = client(url, account())
    token = control_token(sdk)
    done = ["AuthenticateAccount", "CreateConfToken"]
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/openapi/meetingevent"
    for name, call in workflow(sdk, token, hook):
        call()
        done.append(name)
    receiver.shutdown()
    if Receiver.pushes[:1] != ["meeting.verify"]:
        sys.exit(f"the simulator's handshake did not reach the receiver: {Receiver.pushes}")
    # App ID login (the enterprise's default administrator), then a call that needs it.
    client(url, app_id()).cancel_meeting(CancelMeetingRequest(conference_id="900244663", type=1))
    done.append("AuthenticateAppId")
    missing = sorted(set(OPERATIONS.values()) - set(done))
    if missing:
        sys.exit(f"the SDK did not run on the simulator: {missing}")
    print(f"the official SDK's calls succeeded on the simulator: {', '.join(done)}")


def main():
    urllib3.disable_warnings()
    if len(sys.argv) == 3 and sys.argv[1] == "record":
        record(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
