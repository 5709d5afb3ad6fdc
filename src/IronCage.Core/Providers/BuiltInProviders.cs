using NodaTime;

namespace IronCage.Providers;

/// <summary>
/// The built-in provider catalog, transcribed from the provider reference (PROVIDERS.md: capability matrix §16,
/// key formats §18, each provider's verify call and error shapes). Details the reference marks UNCONFIRMED are
/// modelled as limited capabilities, never as promises.
/// </summary>
internal static class BuiltInProviders
{
    private const ProviderCapabilities C = ProviderCapabilities.Create;
    private const ProviderCapabilities L = ProviderCapabilities.List;
    private const ProviderCapabilities R = ProviderCapabilities.Read;
    private const ProviderCapabilities G = ProviderCapabilities.Regenerate;
    private const ProviderCapabilities Da = ProviderCapabilities.Deactivate;
    private const ProviderCapabilities De = ProviderCapabilities.Delete;
    private const ProviderCapabilities U = ProviderCapabilities.Undelete;
    private const ProviderCapabilities E = ProviderCapabilities.Expiry;
    private const ProviderCapabilities V = ProviderCapabilities.Verify;
    private const ProviderCapabilities Gen = ProviderCapabilities.Generate;

    private const ProviderCapabilities Usage = ProviderCapabilities.ReportsUsage;

    // Keys without a distinctive prefix (§18): 32–64 alphanumerics, meaningful in text only next to a keyword.
    private const string OpaqueToken = "[A-Za-z0-9]{32,64}";
    private const string OpaqueTokenDescription = "32 to 64 letters and digits";

    // The OpenAI-style list every OpenAI-compatible models endpoint documents: { "object": "list", "data": [...] }.
    private static readonly ResponseShape DataList = ResponseShape.ObjectWithArray("data");

    public static IEnumerable<ProviderDescriptor> Create()
    {
        yield return OpenAI();
        yield return Anthropic();
        yield return AwsBedrock();
        yield return AwsBedrockShortTerm();
        yield return AzureOpenAI();
        yield return GoogleGemini();
        yield return OpenRouter();
        yield return XAI();
        yield return Fireworks();
        yield return Mistral();
        yield return Perplexity();
        yield return Groq();
        yield return Together();
        yield return Cohere();
        yield return Replicate();
        yield return DeepSeek();
    }

    private static ResponseRule OpenAIInsufficientQuota() => new(ProviderErrorKind.QuotaExhausted, "A 429 with code 'insufficient_quota' means the account's quota or credits are used up, not a rate limit.")
    {
        StatusCode = 429,
        ErrorCode = "insufficient_quota",
    };

    private static ProviderDescriptor OpenAI() => new(ProviderId.OpenAI, "OpenAI")
    {
        Capabilities = C | L | R | De | E | V,
        LimitedCapabilities = C | E,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [C] = "Admin keys can be created; project keys only by creating a project service account (POST /organization/projects/{id}/service_accounts) or a service-account key. There is no create endpoint for user project keys.",
            [De] = "Admin and project keys can be deleted; a service-account key is revoked by deleting its service account (deleting it as a project key answers 400).",
            [E] = "Only admin keys take an expiry (expires_in_seconds at creation); project and service-account keys never expire.",
        },
        ConsoleUrl = new Uri("https://platform.openai.com/api-keys"),
        ApiBaseUrl = new Uri("https://api.openai.com/v1/"),
        EnvironmentVariables = ["OPENAI_API_KEY"],
        AdminEnvironmentVariables = ["OPENAI_ADMIN_KEY"],
        KeyFormats =
        [
            new(KeyKind.Inference, "sk-proj-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}", "a project key: sk-proj- followed by letters, digits, '-' and '_' with the marker T3BlbkFJ in the middle", "sk-proj-"),
            new(KeyKind.Inference, "sk-svcacct-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}", "a service-account key: sk-svcacct- followed by letters, digits, '-' and '_' with the marker T3BlbkFJ in the middle", "sk-svcacct-"),
            new(KeyKind.Inference, "sk-None-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}", "a user key: sk-None- followed by letters, digits, '-' and '_' with the marker T3BlbkFJ in the middle", "sk-None-"),
            new(KeyKind.Inference, "sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}", "a legacy user key: sk- followed by 20 characters, T3BlbkFJ and 20 more", "sk-"),
            new(KeyKind.Admin, "sk-admin-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}", "an admin key: sk-admin- followed by letters, digits, '-' and '_' with the marker T3BlbkFJ in the middle", "sk-admin-"),
        ],
        Auth = AuthScheme.Bearer,
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.openai.com/v1/models") { SuccessMeans = "200 with the list of models the key can use.", SuccessShapes = [DataList] },
        AdminVerifyCall = new VerifyCall(HttpMethod.Get, "https://api.openai.com/v1/organization/admin_api_keys?limit=1") { SuccessMeans = "200 with a page of admin keys: only an admin key may list them.", SuccessShapes = [DataList] },
        ErrorRules =
        [
            OpenAIInsufficientQuota(),
            new(ProviderErrorKind.Forbidden, "A 401 'Missing scopes' means a restricted key lacks a permission (for example api.model.read): the key is genuine.") { StatusCode = 401, MessageContains = "Missing scopes" },
            new(ProviderErrorKind.Forbidden, "A 401 about the IP address means the key is genuine but the caller's IP is not allowed.") { StatusCode = 401, MessageContains = "IP not authorized" },
            new(ProviderErrorKind.Forbidden, "A 401 about the IP address means the key is genuine but the caller's IP is not allowed.") { StatusCode = 401, MessageContains = "IP address" },
        ],
    };

    private static ProviderDescriptor Anthropic() => new(ProviderId.Anthropic, "Anthropic")
    {
        Capabilities = L | R | Da | E | V,
        LimitedCapabilities = E,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [Da] = "Keys are deactivated with status 'inactive' or 'archived'; there is no delete.",
            [E] = "expires_at is read-only: expiry is set in the Console.",
        },
        ConsoleUrl = new Uri("https://console.anthropic.com/settings/keys"),
        ApiBaseUrl = new Uri("https://api.anthropic.com/"),
        EnvironmentVariables = ["ANTHROPIC_API_KEY", "CLAUDE_API_KEY"],
        AdminEnvironmentVariables = ["ANTHROPIC_ADMIN_KEY", "ANTHROPIC_ADMIN_API_KEY"],
        KeyFormats =
        [
            new(KeyKind.Inference, "sk-ant-api03-[A-Za-z0-9_-]{93}AA", "sk-ant-api03- followed by 93 letters, digits, '-' or '_' and ending in AA", "sk-ant-api03-"),
            new(KeyKind.Admin, "sk-ant-admin01-[A-Za-z0-9_-]{93}AA", "an admin key: sk-ant-admin01- followed by 93 letters, digits, '-' or '_' and ending in AA", "sk-ant-admin01-"),
        ],
        Auth = AuthScheme.Header("x-api-key", new Dictionary<string, string> { ["anthropic-version"] = "2023-06-01" }),
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.anthropic.com/v1/models") { SuccessMeans = "200 with the list of models.", SuccessShapes = [DataList] },
        AdminVerifyCall = new VerifyCall(HttpMethod.Get, "https://api.anthropic.com/v1/organizations/me") { SuccessMeans = "200 with the organization the admin key belongs to.", SuccessShapes = [ResponseShape.ObjectWithString("id")] },
        ErrorRules =
        [
            new(ProviderErrorKind.QuotaExhausted, "A 400 about the credit balance means the account has no credits left.") { StatusCode = 400, MessageContains = "credit balance" },
            new(ProviderErrorKind.QuotaExhausted, "A 400 about the spend limit means the workspace's spend limit is reached.") { StatusCode = 400, MessageContains = "spend limit" },
        ],
    };

    private static ProviderDescriptor AwsBedrock() => new(ProviderId.AwsBedrock, "Amazon Bedrock (IAM service-specific credentials)")
    {
        Capabilities = C | L | R | G | Da | De | E | V,
        LimitedCapabilities = R | V,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [R] = "No get call: a credential is read by listing the user's credentials.",
            [G] = "ResetServiceSpecificCredential exists, but whether it issues a new Bedrock secret is unconfirmed; IronCage rotates by create and delete.",
            [V] = "Verified with a Bedrock call using the key as a bearer token; the exact permissions of Bedrock API keys on list calls are unconfirmed.",
            [E] = "CredentialAgeDays (1 to 36600) at creation.",
        },
        ConsoleUrl = new Uri("https://console.aws.amazon.com/bedrock/home#/api-keys"),
        ApiBaseUrl = new Uri("https://iam.amazonaws.com/"),
        EnvironmentVariables = ["AWS_BEARER_TOKEN_BEDROCK"],
        Auth = AuthScheme.Bearer,
        MaxKeysPerPrincipal = 2,
        CreateSetsKeyName = false,
        VerifyCall = BedrockVerifyCall(),
        ErrorRules =
        [
            new(ProviderErrorKind.InvalidKey, "UnrecognizedClientException: AWS does not recognise the token.") { ErrorCode = "UnrecognizedClientException" },
            new(ProviderErrorKind.InvalidKey, "ExpiredTokenException: the Bedrock API key has expired.") { ErrorCode = "ExpiredTokenException" },
            new(ProviderErrorKind.RateLimited, "ThrottlingException: slow down.") { ErrorCode = "ThrottlingException" },
            new(ProviderErrorKind.RateLimited, "Throttling: slow down.") { ErrorCode = "Throttling" },
            new(ProviderErrorKind.Conflict, "LimitExceeded: the IAM user already has two credentials for this service.") { ErrorCode = "LimitExceeded" },
            new(ProviderErrorKind.NotFound, "NoSuchEntity: the user or credential does not exist.") { ErrorCode = "NoSuchEntity" },
        ],
        Notes = "IAM allows two credentials per user and service: an inactive leftover must be deleted before a new key is created.",
    };

    // Both kinds of Bedrock key are verified with the same Bedrock call, the key as a bearer token.
    private static VerifyCall BedrockVerifyCall() => new(HttpMethod.Get, "https://bedrock.{region}.amazonaws.com/foundation-models")
    {
        DefaultParameters = new Dictionary<string, string> { ["region"] = "us-east-1" },
        SuccessMeans = "200 with the foundation models of the region.",
        SuccessShapes = [ResponseShape.ObjectWithArray("modelSummaries")],
    };

    // A short-term key is "bedrock-api-key-" and the standard base64 of a pre-signed SigV4 URL without its scheme
    // (bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-…&Version=1); the prefix is what leak scanning anchors on.
    private static ProviderDescriptor AwsBedrockShortTerm() => new(ProviderId.AwsBedrockShortTerm, "Amazon Bedrock (short-term API keys)")
    {
        Capabilities = Gen | E | V,
        LimitedCapabilities = V,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [Gen] = "Generated by IronCage from the host's AWS credentials: a pre-signed SigV4 URL for bedrock (Action=CallWithBearerToken), valid up to 12 hours and never past the credentials' own expiry. No AWS call creates it.",
            [E] = "Every key expires: at most 12 hours after it was generated, sooner when the signing credentials are temporary and expire first.",
            [V] = "Verified with a Bedrock call using the key as a bearer token; the exact permissions of Bedrock API keys on list calls are unconfirmed.",
        },
        ConsoleUrl = new Uri("https://console.aws.amazon.com/bedrock/home#/api-keys"),
        ApiBaseUrl = new Uri("https://bedrock.amazonaws.com/"),
        KeyFormats =
        [
            new(KeyKind.Inference, "bedrock-api-key-[A-Za-z0-9+/]{100,}={0,2}", "bedrock-api-key- followed by the base64 of a pre-signed bedrock.amazonaws.com URL", "bedrock-api-key-"),
        ],
        Auth = AuthScheme.Bearer,
        VerifyCall = BedrockVerifyCall(),
        ErrorRules =
        [
            new(ProviderErrorKind.InvalidKey, "UnrecognizedClientException: AWS does not recognise the token.") { ErrorCode = "UnrecognizedClientException" },
            new(ProviderErrorKind.InvalidKey, "ExpiredTokenException: the short-term key has expired.") { ErrorCode = "ExpiredTokenException" },
            new(ProviderErrorKind.RateLimited, "ThrottlingException: slow down.") { ErrorCode = "ThrottlingException" },
        ],
        Notes = "Nothing can revoke a short-term key: a replaced key is no longer served by IronCage but stays valid until it expires. Hosts pass it as AWS_BEARER_TOKEN_BEDROCK or an Authorization: Bearer header.",
    };

    private static ProviderDescriptor AzureOpenAI() => new(ProviderId.AzureOpenAI, "Azure OpenAI")
    {
        Capabilities = L | R | G | V,
        LimitedCapabilities = R,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [L] = "listKeys returns the two slot values key1 and key2.",
            [R] = "Only through listKeys.",
            [G] = "regenerateKey with keyName Key1 or Key2; answers 200 with the keys or 202 with Azure-AsyncOperation to poll.",
        },
        ConsoleUrl = new Uri("https://portal.azure.com/#view/Microsoft_Azure_ProjectOxford/CognitiveServicesHub/~/OpenAI"),
        ApiBaseUrl = new Uri("https://management.azure.com/"),
        EnvironmentVariables = ["AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY"],
        KeyFormats =
        [
            new(KeyKind.Inference, "[a-fA-F0-9]{32}", "32 hexadecimal characters") { ContextKeywords = ["openai.azure.com", "cognitiveservices.azure.com"] },
            new(KeyKind.Inference, "[A-Za-z0-9]{84}", "84 letters and digits (the newer key form)") { ContextKeywords = ["openai.azure.com", "cognitiveservices.azure.com"] },
        ],
        Auth = AuthScheme.Header("api-key"),
        MaxKeysPerPrincipal = 2,
        KeySlots = ["Key1", "Key2"],
        VerifyCall = new VerifyCall(HttpMethod.Get, "{endpoint}/openai/v1/models")
        {
            AllowedHostSuffixes = [".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com", ".openai.azure.us", ".cognitiveservices.azure.us", ".openai.azure.cn", ".cognitiveservices.azure.cn"],
            SuccessMeans = "200 from the resource's data plane (endpoint such as https://my-resource.openai.azure.com).",
            SuccessShapes = [DataList],
        },
        Notes = "Exactly two keys per resource; rotate by regenerating the slot not in use.",
    };

    private static ProviderDescriptor GoogleGemini() => new(ProviderId.GoogleGemini, "Google Gemini")
    {
        Capabilities = C | L | R | De | U | V,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [C] = "API Keys API v2: create is a long-running operation; the key string is read with getKeyString.",
            [De] = "Soft delete: the key can be undeleted for 30 days, then it is purged.",
        },
        ConsoleUrl = new Uri("https://aistudio.google.com/app/apikey"),
        ApiBaseUrl = new Uri("https://apikeys.googleapis.com/"),
        EnvironmentVariables = ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
        KeyFormats =
        [
            new(KeyKind.Inference, "AIza[A-Za-z0-9_-]{35}", "AIza followed by 35 letters, digits, '-' or '_'", "AIza"),
        ],
        Auth = AuthScheme.Header("x-goog-api-key", alternativeQueryParameter: "key"),
        UndeleteWindow = Duration.FromDays(30),
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1")
        {
            SuccessMeans = "200 with a page of models.",
            SuccessShapes = [ResponseShape.ObjectWithArray("models")],
        },
        ErrorRules =
        [
            new(ProviderErrorKind.InvalidKey, "Gemini answers an invalid or expired key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID.") { StatusCode = 400, ErrorCode = "API_KEY_INVALID" },
            new(ProviderErrorKind.Forbidden, "400 FAILED_PRECONDITION: the free tier is not available in the caller's region.") { StatusCode = 400, ErrorCode = "FAILED_PRECONDITION" },
            new(ProviderErrorKind.Forbidden, "403 PERMISSION_DENIED: the key may not call the Generative Language API.") { StatusCode = 403, ErrorCode = "PERMISSION_DENIED" },
            new(ProviderErrorKind.RateLimited, "429 RESOURCE_EXHAUSTED: rate or quota limit reached.") { StatusCode = 429, ErrorCode = "RESOURCE_EXHAUSTED" },
        ],
    };

    private static ProviderDescriptor OpenRouter() => new(ProviderId.OpenRouter, "OpenRouter")
    {
        Capabilities = C | L | R | Da | De | E | V | Usage,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [C] = "Needs a management key (formerly provisioning key); create takes limit, limit_reset and expires_at.",
            [Da] = "PATCH disabled: true.",
            [E] = "expires_at is set at creation only.",
            [Usage] = "Keys report usage, usage_daily, usage_weekly and usage_monthly.",
        },
        ConsoleUrl = new Uri("https://openrouter.ai/settings/keys"),
        ApiBaseUrl = new Uri("https://openrouter.ai/api/v1/"),
        EnvironmentVariables = ["OPENROUTER_API_KEY"],
        AdminEnvironmentVariables = ["OPENROUTER_MANAGEMENT_KEY", "OPENROUTER_PROVISIONING_KEY"],
        KeyFormats =
        [
            new(KeyKind.Inference, "sk-or-v1-[a-f0-9]{64}", "sk-or-v1- followed by 64 lower-case hexadecimal characters", "sk-or-v1-"),
            new(KeyKind.Admin, "sk-or-v1-[a-f0-9]{64}", "a management key: sk-or-v1- followed by 64 lower-case hexadecimal characters", "sk-or-v1-"),
        ],
        Auth = AuthScheme.Bearer,
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://openrouter.ai/api/v1/key") { SuccessMeans = "200 with the key's label, limits and usage.", SuccessShapes = [ResponseShape.ObjectWithObject("data")] },
        AdminVerifyCall = new VerifyCall(HttpMethod.Get, "https://openrouter.ai/api/v1/key")
        {
            SuccessMeans = "200 with is_management_key: true.",
            SuccessShapes = [ResponseShape.ObjectWithObject("data")],
            Rules =
            [
                new(ProviderErrorKind.Forbidden, "The key works but is not a management key (is_management_key: false): it cannot manage keys.") { JsonProperty = "data.is_management_key", JsonValue = "false" },
            ],
        },
        ErrorRules =
        [
            new(ProviderErrorKind.Forbidden, "403 'Only management keys can perform this operation': an inference key was used for key management.") { StatusCode = 403, MessageContains = "management key" },
        ],
    };

    private static ProviderDescriptor XAI() => new(ProviderId.XAI, "xAI")
    {
        Capabilities = C | L | R | De | V,
        LimitedCapabilities = R,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [C] = "Management API (management key with 'Management Keys Read + Write'), with the team's ACLs; new keys propagate across clusters before they work everywhere.",
            [R] = "Only through listing the team's keys.",
            [De] = "DELETE /auth/api-keys/{apiKeyId}. A disable flag exists on keys, but its update call is not documented consistently, so IronCage does not disable.",
        },
        ConsoleUrl = new Uri("https://console.x.ai/"),
        ApiBaseUrl = new Uri("https://management-api.x.ai/"),
        EnvironmentVariables = ["XAI_API_KEY"],
        AdminEnvironmentVariables = ["XAI_MANAGEMENT_KEY"],
        KeyFormats =
        [
            new(KeyKind.Inference, "xai-[A-Za-z0-9_]{80}", "xai- followed by 80 letters, digits or '_'", "xai-"),
        ],
        Auth = AuthScheme.Bearer,
        AdminVerifyCall = new VerifyCall(HttpMethod.Get, "https://management-api.x.ai/auth/management-keys/validation") { SuccessMeans = "200 with the management key's team.", SuccessShapes = [ResponseShape.JsonObject] },
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.x.ai/v1/api-key")
        {
            SuccessMeans = "200 with the key's metadata; blocked or disabled flags mean it cannot be used.",
            SuccessShapes = [ResponseShape.JsonObject],
            Rules =
            [
                new(ProviderErrorKind.InvalidKey, "The key is disabled (api_key_disabled: true).") { JsonProperty = "api_key_disabled", JsonValue = "true" },
                new(ProviderErrorKind.InvalidKey, "The key is blocked (api_key_blocked: true).") { JsonProperty = "api_key_blocked", JsonValue = "true" },
                new(ProviderErrorKind.Forbidden, "The team is blocked (team_blocked: true).") { JsonProperty = "team_blocked", JsonValue = "true" },
            ],
        },
        ErrorRules =
        [
            // xAI answers an unknown or revoked inference key with 400, not 401 (reported in continuedev/continue#10778).
            new(ProviderErrorKind.InvalidKey, "400 'Incorrect API key provided': the key is wrong or was deleted.") { StatusCode = 400, MessageContains = "Incorrect API key" },
            OpenAIInsufficientQuota(),
        ],
    };

    private static ProviderDescriptor Fireworks() => new(ProviderId.Fireworks, "Fireworks AI")
    {
        Capabilities = C | L | De | E | V,
        LimitedCapabilities = V,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [C] = "POST /v1/accounts/{account_id}/users/{user_id}/apiKeys with an existing API key; an admin's key can create keys for service-account users. The key value is returned once.",
            [L] = "GET …/apiKeys (apiKeys, nextPageToken); the reference says paging is still to be added, so IronCage stops when a page token repeats. No read of a single key.",
            [De] = "POST …/apiKeys:delete with the key id (a custom verb, not HTTP DELETE). No disable.",
            [E] = "expireTime at creation, from the policy's key lifetime; the key dies on its own.",
            [V] = "GET /inference/v1/models, the OpenAI-compatible models list; not in the API reference (third-party reports say some accounts answer it 500).",
        },
        ConsoleUrl = new Uri("https://fireworks.ai/account/api-keys"),
        ApiBaseUrl = new Uri("https://api.fireworks.ai/"),
        EnvironmentVariables = ["FIREWORKS_API_KEY"],
        KeyFormats = [new(KeyKind.Inference, OpaqueToken, OpaqueTokenDescription) { ContextKeywords = ["fireworks"], IsStrict = false }],
        Auth = AuthScheme.Bearer,
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.fireworks.ai/inference/v1/models") { SuccessMeans = "200 with the models list.", SuccessShapes = [DataList] },
    };

    private static ProviderDescriptor Mistral() => new(ProviderId.Mistral, "Mistral AI")
    {
        Capabilities = C | L | E | V,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [C] = "Beta Admin API for enterprise organisations, with an Admin API key from the Backoffice. No delete by API is confirmed, so IronCage does not rotate Mistral keys automatically: it reminds.",
            [L] = "Beta Admin API only.",
            [E] = "expiration at creation.",
        },
        ConsoleUrl = new Uri("https://console.mistral.ai/api-keys"),
        ApiBaseUrl = new Uri("https://api.mistral.ai/"),
        EnvironmentVariables = ["MISTRAL_API_KEY"],
        KeyFormats = [new(KeyKind.Inference, OpaqueToken, OpaqueTokenDescription) { ContextKeywords = ["mistral"], IsStrict = false }],
        Auth = AuthScheme.Bearer,
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.mistral.ai/v1/models") { SuccessMeans = "200 with the models list.", SuccessShapes = [DataList] },
        ErrorRules =
        [
            new(ProviderErrorKind.InvalidKey, "Mistral answers both an invalid key and a valid key with exhausted quota with 401 {\"detail\":\"Unauthorized\"}; check the key and the workspace's billing in the console.")
            {
                StatusCode = 401,
                IsAmbiguous = true,
                AlternativeKind = ProviderErrorKind.QuotaExhausted,
            },
        ],
    };

    private static ProviderDescriptor Perplexity() => new(ProviderId.Perplexity, "Perplexity")
    {
        Capabilities = C | De | V,
        LimitedCapabilities = De | V,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [C] = "POST /generate_auth_token, inside an API group created in the console first.",
            [De] = "POST /revoke_auth_token needs the full secret, not an id.",
            [V] = "No free verification call is documented; IronCage does not spend tokens to verify a Perplexity key.",
        },
        ConsoleUrl = new Uri("https://www.perplexity.ai/account/api/keys"),
        ApiBaseUrl = new Uri("https://api.perplexity.ai/"),
        EnvironmentVariables = ["PERPLEXITY_API_KEY", "PPLX_API_KEY"],
        KeyFormats = [new(KeyKind.Inference, "pplx-[A-Za-z0-9]{48}", "pplx- followed by 48 letters and digits", "pplx-")],
        Auth = AuthScheme.Bearer,
    };

    private static ProviderDescriptor Groq() => new(ProviderId.Groq, "Groq")
    {
        Capabilities = V,
        ConsoleUrl = new Uri("https://console.groq.com/keys"),
        ApiBaseUrl = new Uri("https://api.groq.com/openai/v1/"),
        EnvironmentVariables = ["GROQ_API_KEY"],
        KeyFormats = [new(KeyKind.Inference, "gsk_[A-Za-z0-9]{52}", "gsk_ followed by 52 letters and digits", "gsk_")],
        Auth = AuthScheme.Bearer,
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.groq.com/openai/v1/models") { SuccessMeans = "200 with the models list.", SuccessShapes = [DataList] },
        ErrorRules =
        [
            new(ProviderErrorKind.Transient, "498 capacity_exceeded: the flex tier has no capacity right now.") { StatusCode = 498 },
            OpenAIInsufficientQuota(),
        ],
        Notes = "No key-management API: create the new key at the console, then record it in IronCage.",
    };

    private static ProviderDescriptor Together() => new(ProviderId.Together, "Together AI")
    {
        Capabilities = V,
        CapabilityNotes = new Dictionary<ProviderCapabilities, string>
        {
            [V] = "GET /v1/models (the reference lists it as the verify call; the path itself is not re-confirmed).",
        },
        ConsoleUrl = new Uri("https://api.together.ai/settings/api-keys"),
        ApiBaseUrl = new Uri("https://api.together.xyz/v1/"),
        EnvironmentVariables = ["TOGETHER_API_KEY", "TOGETHERAI_API_KEY"],
        KeyFormats = [new(KeyKind.Inference, OpaqueToken, OpaqueTokenDescription) { ContextKeywords = ["together"], IsStrict = false }],
        Auth = AuthScheme.Bearer,
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.together.xyz/v1/models") { SuccessMeans = "200 with the models list.", SuccessShapes = [ResponseShape.JsonArray, DataList] },
        ErrorRules = [OpenAIInsufficientQuota()],
        Notes = "No key-management API: keys are project-scoped and created in the dashboard; the account's default key can only be regenerated there.",
    };

    private static ProviderDescriptor Cohere() => new(ProviderId.Cohere, "Cohere")
    {
        Capabilities = V,
        ConsoleUrl = new Uri("https://dashboard.cohere.com/api-keys"),
        ApiBaseUrl = new Uri("https://api.cohere.com/"),
        EnvironmentVariables = ["COHERE_API_KEY", "CO_API_KEY"],
        KeyFormats = [new(KeyKind.Inference, OpaqueToken, OpaqueTokenDescription) { ContextKeywords = ["cohere"], IsStrict = false }],
        Auth = AuthScheme.Bearer,
        VerifyCall = new VerifyCall(HttpMethod.Post, "https://api.cohere.com/v1/check-api-key")
        {
            SuccessMeans = "200 with \"valid\": true.",
            SuccessShapes = [ResponseShape.ObjectWithBoolean("valid")],
            Rules =
            [
                new(ProviderErrorKind.InvalidKey, "Cohere answers 200 with \"valid\": false for a key it does not accept.") { JsonProperty = "valid", JsonValue = "false" },
            ],
        },
        Notes = "No key-management API: create the new key in the dashboard, then record it in IronCage.",
    };

    private static ProviderDescriptor Replicate() => new(ProviderId.Replicate, "Replicate")
    {
        Capabilities = V,
        ConsoleUrl = new Uri("https://replicate.com/account/api-tokens"),
        ApiBaseUrl = new Uri("https://api.replicate.com/v1/"),
        EnvironmentVariables = ["REPLICATE_API_TOKEN", "REPLICATE_API_KEY"],
        KeyFormats = [new(KeyKind.Inference, "r8_[A-Za-z0-9]{37}", "r8_ followed by 37 letters and digits", "r8_")],
        Auth = AuthScheme.Bearer,
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.replicate.com/v1/account") { SuccessMeans = "200 with the account's type and username.", SuccessShapes = [ResponseShape.ObjectWithString("username")] },
        Notes = "No key-management API: create the new token at replicate.com, then record it in IronCage.",
    };

    private static ProviderDescriptor DeepSeek() => new(ProviderId.DeepSeek, "DeepSeek")
    {
        Capabilities = V,
        ConsoleUrl = new Uri("https://platform.deepseek.com/api_keys"),
        ApiBaseUrl = new Uri("https://api.deepseek.com/"),
        EnvironmentVariables = ["DEEPSEEK_API_KEY"],
        KeyFormats = [new(KeyKind.Inference, "sk-[a-z0-9]{32}", "sk- followed by 32 lower-case letters and digits", "sk-") { ContextKeywords = ["deepseek"] }],
        Auth = AuthScheme.Bearer,
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.deepseek.com/user/balance")
        {
            SuccessMeans = "200 with is_available: true and the balances.",
            SuccessShapes = [ResponseShape.ObjectWithBoolean("is_available")],
            Rules =
            [
                new(ProviderErrorKind.QuotaExhausted, "The key works but the account has no usable balance (is_available: false).") { JsonProperty = "is_available", JsonValue = "false" },
            ],
        },
        Notes = "No key-management API: create the new key on the platform, then record it in IronCage.",
    };
}
