//! Lambda: the function inventory and concurrency settings.

use super::errors::map_err;
use super::{AwsSource, all_pages};
use crate::model::function::{
    AccountLimits, Architecture, FunctionInfo, Health, Setup, TracingMode, parse_last_modified,
};
use crate::model::id::FunctionId;
use crate::model::invoke::{AsyncConfig, ProvisionedConfig};
use crate::model::sources::EventSource;
use crate::model::versions::{Alias, Deployments, Version};
use crate::source::{Inventory, SourceError};
use aws_sdk_lambda::types::{
    AliasConfiguration, EventSourceMappingConfiguration, FunctionConfiguration,
};

impl Inventory for AwsSource {
    async fn list_functions(&self) -> Result<Vec<FunctionInfo>, SourceError> {
        let mut out = all_pages(|marker| async move {
            let page = self
                .lambda
                .list_functions()
                .set_marker(marker)
                .max_items(50)
                .send()
                .await
                .map_err(|e| map_err("lambda:ListFunctions", e))?;
            let items = page.functions().iter().filter_map(to_function).collect();
            Ok((items, page.next_marker().map(String::from)))
        })
        .await?;
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        Ok(out)
    }

    async fn reserved_concurrency(
        &self,
        function: &FunctionId,
    ) -> Result<Option<u32>, SourceError> {
        let out = self
            .lambda
            .get_function_concurrency()
            .function_name(&function.name)
            .send()
            .await
            .map_err(|e| map_err("lambda:GetFunctionConcurrency", e))?;
        Ok(out
            .reserved_concurrent_executions()
            .and_then(|n| u32::try_from(n).ok()))
    }

    async fn deployments(&self, function: &FunctionId) -> Result<Deployments, SourceError> {
        Ok(Deployments {
            versions: self.versions(function).await?,
            aliases: self.aliases(function).await?,
            ..Deployments::default()
        }
        .sorted())
    }

    async fn async_config(
        &self,
        function: &FunctionId,
    ) -> Result<Option<AsyncConfig>, SourceError> {
        let out = self
            .lambda
            .get_function_event_invoke_config()
            .function_name(&function.name)
            .send()
            .await
            .map_err(|e| map_err("lambda:GetFunctionEventInvokeConfig", e));
        let out = match out {
            Ok(o) => o,
            // No async configuration: Lambda's defaults apply.
            Err(SourceError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let dest = out.destination_config();
        Ok(Some(AsyncConfig {
            retries: out
                .maximum_retry_attempts()
                .and_then(|n| u32::try_from(n).ok()),
            max_event_age_s: out
                .maximum_event_age_in_seconds()
                .and_then(|n| u32::try_from(n).ok()),
            on_success: dest
                .and_then(|d| d.on_success())
                .and_then(|d| d.destination())
                .map(String::from),
            on_failure: dest
                .and_then(|d| d.on_failure())
                .and_then(|d| d.destination())
                .map(String::from),
        }))
    }

    async fn provisioned_configs(
        &self,
        function: &FunctionId,
    ) -> Result<Vec<ProvisionedConfig>, SourceError> {
        all_pages(|marker| async move {
            let page = self
                .lambda
                .list_provisioned_concurrency_configs()
                .function_name(&function.name)
                .set_marker(marker)
                .max_items(50)
                .send()
                .await
                .map_err(|e| map_err("lambda:ListProvisionedConcurrencyConfigs", e))?;
            let n = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok());
            let items = page
                .provisioned_concurrency_configs()
                .iter()
                .map(|c| ProvisionedConfig {
                    qualifier: ProvisionedConfig::qualifier_of(c.function_arn().unwrap_or("")),
                    requested: n(c.requested_provisioned_concurrent_executions()),
                    allocated: n(c.allocated_provisioned_concurrent_executions()),
                    status: c.status().map(|s| s.as_str().to_string()),
                    status_reason: c.status_reason().map(String::from),
                })
                .collect();
            Ok((items, page.next_marker().map(String::from)))
        })
        .await
    }

    async fn event_sources(&self) -> Result<Vec<EventSource>, SourceError> {
        all_pages(|marker| async move {
            let page = self
                .lambda
                .list_event_source_mappings()
                .set_marker(marker)
                .max_items(100)
                .send()
                .await
                .map_err(|e| map_err("lambda:ListEventSourceMappings", e))?;
            let items = page
                .event_source_mappings()
                .iter()
                .filter_map(to_event_source)
                .collect();
            Ok((items, page.next_marker().map(String::from)))
        })
        .await
    }

    async fn account_id(&self) -> Result<String, SourceError> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| map_err("sts:GetCallerIdentity", e))?;
        Ok(out.account().unwrap_or_default().to_string())
    }

    async fn account_limits(&self) -> Result<AccountLimits, SourceError> {
        let out = self
            .lambda
            .get_account_settings()
            .send()
            .await
            .map_err(|e| map_err("lambda:GetAccountSettings", e))?;
        let limit = out.account_limit();
        Ok(AccountLimits {
            concurrency_limit: limit.and_then(|l| u32::try_from(l.concurrent_executions()).ok()),
            unreserved_concurrency: limit
                .and_then(|l| l.unreserved_concurrent_executions())
                .and_then(|n| u32::try_from(n).ok()),
        })
    }
}

impl AwsSource {
    /// Every published version (ListVersionsByFunction, all pages).
    async fn versions(&self, function: &FunctionId) -> Result<Vec<Version>, SourceError> {
        all_pages(|marker| async move {
            let page = self
                .lambda
                .list_versions_by_function()
                .function_name(&function.name)
                .set_marker(marker)
                .max_items(50)
                .send()
                .await
                .map_err(|e| map_err("lambda:ListVersionsByFunction", e))?;
            let items = page.versions().iter().map(to_version).collect();
            Ok((items, page.next_marker().map(String::from)))
        })
        .await
    }

    /// Every alias with its routing (ListAliases, all pages).
    async fn aliases(&self, function: &FunctionId) -> Result<Vec<Alias>, SourceError> {
        all_pages(|marker| async move {
            let page = self
                .lambda
                .list_aliases()
                .function_name(&function.name)
                .set_marker(marker)
                .max_items(50)
                .send()
                .await
                .map_err(|e| map_err("lambda:ListAliases", e))?;
            let items = page.aliases().iter().map(to_alias).collect();
            Ok((items, page.next_marker().map(String::from)))
        })
        .await
    }
}

/// One mapping as ListEventSourceMappings describes it; the function is
/// read from its ARN (the name after `function:`, without a qualifier).
fn to_event_source(m: &EventSourceMappingConfiguration) -> Option<EventSource> {
    let text = |s: Option<&str>| s.map(crate::model::text::sanitize);
    let function = m.function_arn()?.split(":function:").nth(1)?;
    let function = function.split(':').next().unwrap_or(function);
    let source_arn = text(m.event_source_arn()).unwrap_or_default();
    Some(EventSource {
        uuid: text(m.uuid()).unwrap_or_default(),
        function: FunctionId::new(function),
        kind: EventSource::kind_of(&source_arn),
        source_arn,
        state: text(m.state()).unwrap_or_default(),
        state_reason: text(m.state_transition_reason()),
        last_processing_result: text(m.last_processing_result()),
        batch_size: m.batch_size().and_then(|b| u32::try_from(b).ok()),
    })
}

/// One published version as ListVersionsByFunction describes it.
fn to_version(c: &FunctionConfiguration) -> Version {
    Version {
        version: c.version().unwrap_or_default().to_string(),
        published: c.last_modified().and_then(parse_last_modified),
        description: crate::model::text::sanitize(c.description().unwrap_or_default()),
    }
}

/// One alias and its weights as ListAliases describes it.
fn to_alias(a: &AliasConfiguration) -> Alias {
    let mut weights: Vec<(String, f64)> = a
        .routing_config()
        .and_then(|r| r.additional_version_weights())
        .map(|w| w.iter().map(|(v, f)| (v.clone(), *f)).collect())
        .unwrap_or_default();
    weights.sort_by(|x, y| x.0.cmp(&y.0));
    Alias {
        name: a.name().unwrap_or_default().to_string(),
        version: a.function_version().unwrap_or_default().to_string(),
        weights,
    }
}

/// Maps one configuration; entries without a name are skipped.
fn to_function(f: &FunctionConfiguration) -> Option<FunctionInfo> {
    let name = f.function_name()?.to_string();
    let runtime = match f.runtime() {
        Some(r) => r.as_str().to_string(),
        None if f.package_type().is_some_and(|p| p.as_str() == "Image") => "container".into(),
        None => "unknown".into(),
    };
    let log_group = f
        .logging_config()
        .and_then(|l| l.log_group())
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| FunctionInfo::default_log_group(&name));
    let tracing = match f.tracing_config().and_then(|t| t.mode()) {
        Some(m) if m.as_str() == "Active" => TracingMode::Active,
        _ => TracingMode::PassThrough,
    };
    Some(FunctionInfo {
        arn: f.function_arn().unwrap_or_default().to_string(),
        runtime,
        architecture: f
            .architectures()
            .first()
            .map(|a| Architecture::from_api(a.as_str()))
            .unwrap_or_default(),
        memory_mb: f
            .memory_size()
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(128),
        timeout_s: f.timeout().and_then(|t| u32::try_from(t).ok()).unwrap_or(3),
        last_modified: f.last_modified().and_then(parse_last_modified),
        tracing,
        log_group,
        id: FunctionId::new(name),
        health: health_of(f),
        setup: setup_of(f),
    })
}

/// Packaging and wiring, inert text.
fn setup_of(f: &FunctionConfiguration) -> Setup {
    let text = |s: Option<&str>| {
        s.filter(|s| !s.is_empty())
            .map(crate::model::text::sanitize)
    };
    Setup {
        package_type: text(f.package_type().map(|p| p.as_str())),
        handler: text(f.handler()),
        layers: f.layers().iter().filter_map(|l| text(l.arn())).collect(),
        vpc_id: text(f.vpc_config().and_then(|v| v.vpc_id())),
        ephemeral_storage_mb: f
            .ephemeral_storage()
            .and_then(|e| u32::try_from(e.size()).ok()),
        snap_start: text(
            f.snap_start()
                .and_then(|s| s.apply_on())
                .map(|a| a.as_str())
                .filter(|a| *a != "None"),
        ),
        dead_letter_target: text(f.dead_letter_config().and_then(|d| d.target_arn())),
    }
}

/// `State` and `LastUpdateStatus` with their reasons, inert.
fn health_of(f: &FunctionConfiguration) -> Health {
    let text = |s: Option<&str>| s.map(crate::model::text::sanitize);
    Health {
        state: text(f.state().map(|s| s.as_str())),
        state_reason: text(f.state_reason()),
        last_update_status: text(f.last_update_status().map(|s| s.as_str())),
        last_update_reason: text(f.last_update_status_reason()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::aws::tests::mock_source;
    use aws_sdk_lambda::operation::list_functions::ListFunctionsOutput;
    use aws_sdk_lambda::types::{Architecture as Arch, LoggingConfig, Runtime};
    use aws_smithy_mocks::mock;

    fn conf(name: &str) -> FunctionConfiguration {
        FunctionConfiguration::builder()
            .function_name(name)
            .function_arn(format!("arn:aws:lambda:us-east-1:1:function:{name}"))
            .runtime(Runtime::Python312)
            .memory_size(256)
            .timeout(30)
            .architectures(Arch::Arm64)
            .last_modified("2024-01-02T03:04:05.000+0000")
            .build()
    }

    /// A function whose last update failed reads as such; a healthy one
    /// has no problem.
    #[test]
    fn state_and_last_update_status_are_mapped() {
        use aws_sdk_lambda::types::{LastUpdateStatus, State};
        let failed = FunctionConfiguration::builder()
            .function_name("f")
            .state(State::Active)
            .last_update_status(LastUpdateStatus::Failed)
            .last_update_status_reason("The function's subnets ran out of IP addresses.")
            .build();
        let h = to_function(&failed).unwrap().health;
        assert_eq!(h.state.as_deref(), Some("Active"));
        assert_eq!(
            h.problem().as_deref(),
            Some("update Failed: The function's subnets ran out of IP addresses.")
        );
        let stuck = FunctionConfiguration::builder()
            .function_name("g")
            .state(State::Failed)
            .state_reason("Lambda was unable to create an ENI.")
            .build();
        assert_eq!(
            to_function(&stuck).unwrap().health.problem().as_deref(),
            Some("state Failed: Lambda was unable to create an ENI.")
        );
        assert!(to_function(&conf("h")).unwrap().health.problem().is_none());
    }

    /// Packaging and wiring as ListFunctions returns them (the Lambda
    /// Insights layer ARN of the CloudWatch docs' version table).
    #[test]
    fn setup_is_mapped_and_the_insights_layer_recognised() {
        use aws_sdk_lambda::types::{
            DeadLetterConfig, EphemeralStorage, Layer, PackageType, SnapStartApplyOn,
            SnapStartResponse, VpcConfigResponse,
        };
        let f = FunctionConfiguration::builder()
            .function_name("f")
            .package_type(PackageType::Zip)
            .handler("lambda_function.lambda_handler")
            .layers(
                Layer::builder()
                    .arn("arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:49")
                    .build(),
            )
            .vpc_config(
                VpcConfigResponse::builder()
                    .vpc_id("vpc-0e2a1f2b3c4d5e6f7")
                    .build(),
            )
            .ephemeral_storage(EphemeralStorage::builder().size(10240).build().unwrap())
            .snap_start(
                SnapStartResponse::builder()
                    .apply_on(SnapStartApplyOn::PublishedVersions)
                    .build(),
            )
            .dead_letter_config(
                DeadLetterConfig::builder()
                    .target_arn("arn:aws:sqs:us-east-1:123456789012:dlq")
                    .build(),
            )
            .build();
        let s = to_function(&f).unwrap().setup;
        assert_eq!(s.package_type.as_deref(), Some("Zip"));
        assert_eq!(s.handler.as_deref(), Some("lambda_function.lambda_handler"));
        assert!(s.has_lambda_insights());
        assert_eq!(
            Setup::layer_name(&s.layers[0]),
            "LambdaInsightsExtension:49"
        );
        assert_eq!(
            (
                s.vpc_id.as_deref(),
                s.ephemeral_storage_mb,
                s.snap_start.as_deref()
            ),
            (
                Some("vpc-0e2a1f2b3c4d5e6f7"),
                Some(10240),
                Some("PublishedVersions")
            )
        );
        assert_eq!(
            s.dead_letter_target.as_deref(),
            Some("arn:aws:sqs:us-east-1:123456789012:dlq")
        );
        // SnapStart off reads as none.
        let off = FunctionConfiguration::builder()
            .function_name("g")
            .snap_start(
                SnapStartResponse::builder()
                    .apply_on(SnapStartApplyOn::None)
                    .build(),
            )
            .build();
        assert_eq!(to_function(&off).unwrap().setup.snap_start, None);
    }

    fn conf_in_group(name: &str, group: &str) -> FunctionConfiguration {
        FunctionConfiguration::builder()
            .function_name(name)
            .runtime(Runtime::Python312)
            .memory_size(512)
            .timeout(10)
            .logging_config(LoggingConfig::builder().log_group(group).build())
            .build()
    }

    #[tokio::test]
    async fn list_functions_follows_markers_and_maps_fields() {
        let page1 = mock!(aws_sdk_lambda::Client::list_functions)
            .match_requests(|r| r.marker().is_none() && r.max_items() == Some(50))
            .then_output(|| {
                ListFunctionsOutput::builder()
                    .functions(conf("a"))
                    .functions(conf_in_group("b", "/custom/shared"))
                    .next_marker("m1")
                    .build()
            });
        let page2 = mock!(aws_sdk_lambda::Client::list_functions)
            .match_requests(|r| r.marker() == Some("m1"))
            .then_output(|| ListFunctionsOutput::builder().functions(conf("c")).build());
        let src = mock_source(&[&page1, &page2], &[], &[]);
        let fns = src.list_functions().await.unwrap();
        let names: Vec<_> = fns.iter().map(|f| f.id.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(fns[0].log_group, "/aws/lambda/a");
        assert_eq!(fns[1].log_group, "/custom/shared");
        assert_eq!(fns[0].architecture, Architecture::Arm64);
        assert_eq!((fns[0].memory_mb, fns[0].timeout_s), (256, 30));
        assert_eq!(fns[0].runtime, "python3.12");
        assert!(fns[0].last_modified.is_some());
    }

    /// Every page of mappings is read; the function comes from its ARN
    /// (a qualified ARN too), the type from the source's.
    #[tokio::test]
    async fn event_source_mappings_follow_markers_and_name_their_function() {
        use aws_sdk_lambda::operation::list_event_source_mappings::ListEventSourceMappingsOutput;
        let mapping = |uuid: &str, function: &str, source: &str, result: &str| {
            EventSourceMappingConfiguration::builder()
                .uuid(uuid)
                .function_arn(format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{function}"
                ))
                .event_source_arn(source)
                .state("Enabled")
                .state_transition_reason("USER_INITIATED")
                .last_processing_result(result)
                .batch_size(10)
                .build()
        };
        let page1 = mock!(aws_sdk_lambda::Client::list_event_source_mappings)
            .match_requests(|r| r.marker().is_none())
            .then_output(move || {
                ListEventSourceMappingsOutput::builder()
                    .event_source_mappings(mapping(
                        "u1",
                        "orders",
                        "arn:aws:sqs:us-east-1:123456789012:orders",
                        "OK",
                    ))
                    .next_marker("m1")
                    .build()
            });
        let page2 = mock!(aws_sdk_lambda::Client::list_event_source_mappings)
            .match_requests(|r| r.marker() == Some("m1"))
            .then_output(move || {
                ListEventSourceMappingsOutput::builder()
                    .event_source_mappings(mapping(
                        "u2",
                        "clicks:live",
                        "arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
                        "PROBLEM: Function call failed",
                    ))
                    .build()
            });
        let src = mock_source(&[&page1, &page2], &[], &[]);
        let all = src.event_sources().await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            (all[0].function.name.as_str(), all[0].kind),
            ("orders", "sqs")
        );
        assert_eq!(all[0].problem(), None);
        assert_eq!(
            (all[1].function.name.as_str(), all[1].kind),
            ("clicks", "kinesis")
        );
        assert_eq!(all[1].problem(), Some("PROBLEM: Function call failed"));
        assert_eq!(all[1].batch_size, Some(10));
    }

    /// The AWS CLI reference's example answers of
    /// get-function-event-invoke-config and
    /// list-provisioned-concurrency-configs (a failure queue; BLUE and
    /// GREEN aliases with 100 each), read as lamtop shows them.
    #[tokio::test]
    async fn invoke_config_and_provisioned_configs_from_the_reference_examples() {
        use aws_sdk_lambda::operation::get_function_event_invoke_config::{
            GetFunctionEventInvokeConfigError, GetFunctionEventInvokeConfigOutput,
        };
        use aws_sdk_lambda::operation::list_provisioned_concurrency_configs::ListProvisionedConcurrencyConfigsOutput;
        use aws_sdk_lambda::types::{
            DestinationConfig, OnFailure, OnSuccess, ProvisionedConcurrencyConfigListItem,
            ProvisionedConcurrencyStatusEnum, error::ResourceNotFoundException,
        };
        let invoke = mock!(aws_sdk_lambda::Client::get_function_event_invoke_config)
            .match_requests(|r| r.function_name() == Some("my-function"))
            .then_output(|| {
                GetFunctionEventInvokeConfigOutput::builder()
                    .function_arn(
                        "arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST",
                    )
                    .maximum_retry_attempts(2)
                    .maximum_event_age_in_seconds(3600)
                    .destination_config(
                        DestinationConfig::builder()
                            .on_success(OnSuccess::builder().build())
                            .on_failure(
                                OnFailure::builder()
                                    .destination(
                                        "arn:aws:sqs:us-east-2:123456789012:failed-invocations",
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .build()
            });
        let item = |alias: &str| {
            ProvisionedConcurrencyConfigListItem::builder()
                .function_arn(format!(
                    "arn:aws:lambda:us-east-2:123456789012:function:my-function:{alias}"
                ))
                .requested_provisioned_concurrent_executions(100)
                .available_provisioned_concurrent_executions(100)
                .allocated_provisioned_concurrent_executions(100)
                .status(ProvisionedConcurrencyStatusEnum::Ready)
                .last_modified("2019-12-31T20:29:00+0000")
                .build()
        };
        let page1 = mock!(aws_sdk_lambda::Client::list_provisioned_concurrency_configs)
            .match_requests(|r| r.marker().is_none())
            .then_output(move || {
                ListProvisionedConcurrencyConfigsOutput::builder()
                    .provisioned_concurrency_configs(item("GREEN"))
                    .next_marker("m2")
                    .build()
            });
        let page2 = mock!(aws_sdk_lambda::Client::list_provisioned_concurrency_configs)
            .match_requests(|r| r.marker() == Some("m2"))
            .then_output(move || {
                ListProvisionedConcurrencyConfigsOutput::builder()
                    .provisioned_concurrency_configs(item("BLUE"))
                    .build()
            });
        let none =
            mock!(aws_sdk_lambda::Client::get_function_event_invoke_config).then_error(|| {
                GetFunctionEventInvokeConfigError::ResourceNotFoundException(
                    ResourceNotFoundException::builder()
                        .message("The function doesn't have an EventInvokeConfig")
                        .meta(
                            aws_smithy_types::error::ErrorMetadata::builder()
                                .code("ResourceNotFoundException")
                                .build(),
                        )
                        .build(),
                )
            });
        let src = mock_source(&[&invoke, &page1, &page2, &none], &[], &[]);
        let f: FunctionId = "my-function".into();
        let c = src.async_config(&f).await.unwrap().unwrap();
        assert_eq!(
            (c.retries, c.max_event_age_s, c.on_success.as_deref()),
            (Some(2), Some(3600), None)
        );
        assert_eq!(
            c.on_failure.as_deref(),
            Some("arn:aws:sqs:us-east-2:123456789012:failed-invocations")
        );
        let pcs = src.provisioned_configs(&f).await.unwrap();
        let q: Vec<(&str, Option<u32>, Option<&str>)> = pcs
            .iter()
            .map(|p| (p.qualifier.as_str(), p.allocated, p.status.as_deref()))
            .collect();
        assert_eq!(
            q,
            [
                ("GREEN", Some(100), Some("READY")),
                ("BLUE", Some(100), Some("READY"))
            ]
        );
        assert_eq!(crate::model::invoke::allocated(&pcs), Some(200));
        // No async configuration: Lambda's defaults, not an error.
        assert_eq!(src.async_config(&f).await.unwrap(), None);
    }
}
