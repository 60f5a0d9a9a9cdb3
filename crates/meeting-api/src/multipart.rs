//! The operations whose body is `multipart/form-data`, which progenitor does not
//! generate (meeting-codegen's `MULTIPART`): each sent as a generated method sends its
//! request, through the same hooks (secrets, content checks, the exchange record).

use progenitor_client::{ClientHooks, OperationInfo, ResponseValue};
use reqwest::header::{HeaderValue, ACCEPT};

use crate::{operations, types, Client, Error};

impl Client {
    /// UploadFile: `form`, whose part `file` is the image.
    ///
    /// A form's streamed part is read once: a caller that retries builds it again.
    pub async fn upload_file(
        &self,
        form: reqwest::multipart::Form,
    ) -> Result<ResponseValue<types::UploadFileResult>, Error<types::ErrorBody>> {
        let url = format!("{}{}", self.baseurl, operations::UPLOAD_FILE.path);
        let mut request = self
            .client
            .put(url)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .multipart(form)
            .build()?;
        let info = OperationInfo {
            operation_id: "upload_file",
        };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200 => ResponseValue::from_response(response).await,
            400 | 401 | 403 | 429 | 500..=599 => Err(Error::ErrorResponse(
                ResponseValue::from_response(response).await?,
            )),
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}
