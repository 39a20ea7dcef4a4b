"""moto_server with the patches our integration tests need, each small, citing the moto source it
works around, and never more lenient than AWS. Run as moto_server is run:

    python3 test/integration/moto/server.py -H 127.0.0.1 -p 5000

Patch 1 - AWS::KMS::Key Tags from CloudFormation.
  moto 5.2 moto/kms/models.py Key.create_from_cloudformation_json passes the template's Tags
  ([{Key, Value}], the CloudFormation shape) to KmsBackend.create_key, whose tagger expects the
  KMS API shape [{TagKey, TagValue}] (moto/utilities/tagging_service.py tag_resource), so any
  tagged key fails ExecuteChangeSet with HTTP 500 (KeyError: 'TagKey'). AWS accepts the
  CloudFormation shape (AWS::KMS::Key Tags: "Key"/"Value"). The patch converts the shape and
  nothing else: keys, values and their validation are unchanged.

Patch 2 - Outputs and Parameters of a stack after ExecuteChangeSet.
  moto 5.2 moto/cloudformation/models.py CloudFormationBackend.execute_change_set applies the
  change set's resources and sets `stack.template`, but keeps the output map built when the stack
  was made (create_change_set makes a CREATE stack with `template={}`) and the old
  `stack.parameters`; Stack.update, moto's UpdateStack path, rebuilds both. So every stack made or
  updated through a change set has no Outputs, and the next identical change set is not "no
  changes" after a parameter change. AWS reports the executed template's outputs. The patch does
  what Stack.update does, after a successful execution only (a failing one still fails as before).

Patch 3 - Fn::GetAtt <nested stack>.Outputs.<Name>.
  a) moto 5.2 moto/cloudformation/utils.py yaml_tag_constructor splits the short form
  `!GetAtt Stack.Outputs.Name` on every dot (['Stack', 'Outputs', 'Name']), and clean_json reads
  only the second item; AWS splits on the first dot only (['Stack', 'Outputs.Name']).
  b) moto 5.2 moto/cloudformation/models.py Stack (the AWS::CloudFormation::Stack resource) says
  has_cfn_attr for everything but has no get_cfn_attribute, so CloudFormationModel's raises
  NotImplementedError, moto/cloudformation/parsing.py clean_json logs it and yields None: a root
  output or a sibling's parameter that reads a nested stack's output silently vanishes. AWS
  resolves the nested stack's output. The patch resolves it; an output the nested stack does not
  have stays what moto makes of any attribute it cannot resolve (nothing), so the deploy tool's
  output check reports it, as for every other output moto drops.

Patch 4 - a CREATE change set for a stack that exists.
  moto 5.2 CloudFormationBackend.create_change_set makes a new Stack for every CREATE change set,
  so after a change set that was never executed (REVIEW_IN_PROGRESS) a second one makes a second
  stack of the same name, and DescribeStacks by name returns the stale one. AWS reuses a
  REVIEW_IN_PROGRESS stack (same stack ID) and refuses a CREATE change set for a stack in any
  other state (ValidationError "Stack [x] already exists and cannot be created again with the
  changeSet [y]."). The patch does both.

Patch 5 - DeletionPolicy RetainExceptOnCreate on DeleteStack.
  moto 5.2 moto/cloudformation/parsing.py ResourceMap.delete keeps only resources whose
  DeletionPolicy is exactly "Retain" and deletes the rest, so a stack whose resources are
  RetainExceptOnCreate loses them on DeleteStack. AWS retains such a resource on every delete
  except the rollback of the create that made it (CloudFormation Template Reference, DeletionPolicy
  attribute: "RetainExceptOnCreate behaves like Retain for stack operations, except for the stack
  operation that initially created the resource"). moto never rolls back, so its DeleteStack is never that rollback: the
  patch keeps RetainExceptOnCreate resources as it keeps Retain ones, and changes nothing else.
"""
import sys

from moto.kms.models import Key

_create_key_from_cfn = Key.create_from_cloudformation_json.__func__


def _create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    tags = properties.get("Tags")
    if isinstance(tags, list):
        properties = dict(properties, Tags=[
            {"TagKey": t["Key"], "TagValue": t["Value"]} if isinstance(t, dict) and "Key" in t else t for t in tags
        ])
        cloudformation_json = dict(cloudformation_json, Properties=properties)
    return _create_key_from_cfn(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


Key.create_from_cloudformation_json = classmethod(_create_from_cloudformation_json)

from moto.cloudformation.models import CloudFormationBackend

_execute_change_set = CloudFormationBackend.execute_change_set


def _find_change_set(backend, change_set_name):
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == change_set_name:
            return change_set
    return None


def _execute_change_set_with_outputs(self, change_set_name, stack_name=None):
    _execute_change_set(self, change_set_name, stack_name)
    change_set = _find_change_set(self, change_set_name)
    if change_set is not None:
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.output_map = stack._create_output_map()
        stack.parameters = change_set.parameters


CloudFormationBackend.execute_change_set = _execute_change_set_with_outputs

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Stack


def _nested_stack_attribute(self, attribute_name):
    if attribute_name.startswith("Outputs."):
        name = attribute_name[len("Outputs."):]
        output = self.output_map[name] if name in self.output_map.outputs else None
        if output is None:
            raise NotImplementedError(f"Output '{name}' not found in stack '{self.name}'")
        return output.value
    raise NotImplementedError(f'"Fn::GetAtt" : [ "{{0}}" , "{attribute_name}" ]"')


Stack.get_cfn_attribute = _nested_stack_attribute

import moto.cloudformation.models as _cfn_models
import moto.cloudformation.responses as _cfn_responses
import moto.cloudformation.utils as _cfn_utils

_yaml_tag_constructor = _cfn_utils.yaml_tag_constructor


def _yaml_tag_constructor_first_dot(loader, tag, node):
    if tag == "!GetAtt" and isinstance(node.value, str):
        return {"Fn::GetAtt": node.value.split(".", 1)}
    return _yaml_tag_constructor(loader, tag, node)


for _module in (_cfn_utils, _cfn_models, _cfn_responses):
    _module.yaml_tag_constructor = _yaml_tag_constructor_first_dot

_create_change_set = CloudFormationBackend.create_change_set


def _create_change_set_reusing_review_stack(self, stack_name, change_set_name, template, parameters, description, change_set_type, *args, **kwargs):
    existing = None
    if change_set_type == "CREATE":
        for stack in self.stacks.values():
            if stack.name == stack_name and stack.status != "DELETE_COMPLETE":
                existing = stack
        if existing is not None and existing.status != "REVIEW_IN_PROGRESS":
            raise ValidationError(stack_name, message=f"Stack [{stack_name}] already exists and cannot be created again with the changeSet [{change_set_name}].")
    change_set_id, stack_id = _create_change_set(self, stack_name, change_set_name, template, parameters, description, change_set_type, *args, **kwargs)
    if existing is None:
        return change_set_id, stack_id
    fresh = self.stacks.pop(stack_id)
    fresh.stack_id = existing.stack_id
    fresh.resource_map = fresh._create_resource_map()
    fresh.output_map = fresh._create_output_map()
    for event in fresh.events:
        if event.physical_resource_id == event.stack_id:
            event.physical_resource_id = existing.stack_id
        event.stack_id = existing.stack_id
    fresh.events = existing.events + fresh.events
    self.stacks[existing.stack_id] = fresh
    self.change_sets[change_set_id].stack_id = existing.stack_id
    return change_set_id, existing.stack_id


CloudFormationBackend.create_change_set = _create_change_set_reusing_review_stack

from moto.cloudformation.parsing import ResourceMap

_resource_map_delete = ResourceMap.delete


def _delete_keeping_retain_except_on_create(self):
    changed = []
    for value in self._resource_json_map.values():
        if isinstance(value, dict) and value.get("DeletionPolicy") == "RetainExceptOnCreate":
            value["DeletionPolicy"] = "Retain"
            changed.append(value)
    try:
        return _resource_map_delete(self)
    finally:
        for value in changed:
            value["DeletionPolicy"] = "RetainExceptOnCreate"


ResourceMap.delete = _delete_keeping_retain_except_on_create

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
